/** The run configuration being edited, kept in the URL so a link reproduces it. */
import { DEFAULT_CONFIG, parseUrl, serializeConfig, validateConfig } from '../config/fields';
import type { RunConfig } from '../config/runConfig';
import { defaultMethodParams, type MethodId } from '../contract/methodCatalog';
import { USER_LOSS_TEMPLATE } from '../contract/userCode';
import type { LossOrigin } from './lossTrust.svelte';

export class Settings {
  config = $state<RunConfig>() as RunConfig;
  /** Values from the URL that were clamped or refused. */
  notes = $state<readonly string[]>([]);
  readonly autostart: boolean;
  /** Where the loss code came from when it was not typed here; it runs only once the person agrees. */
  lossOrigin = $state<LossOrigin | null>(null);
  readonly problems = $derived(validateConfig(this.config));
  readonly valid = $derived(Object.keys(this.problems).length === 0);

  constructor(search: string) {
    const parsed = parseUrl(search);
    this.config = parsed.config;
    this.notes = parsed.notes;
    this.autostart = parsed.autostart;
    if (parsed.config.userLoss !== USER_LOSS_TEMPLATE) this.lossOrigin = 'a link';
  }

  /** Replaces the whole config with one from elsewhere (a saved run, a checkpoint), saying where its code came from. */
  load(config: RunConfig, origin: LossOrigin): void {
    this.config = config;
    if (config.userLoss !== USER_LOSS_TEMPLATE) this.lossOrigin = origin;
  }

  /**
   * A lesson step's settings (a link query over the defaults), keeping this device's backend choice: which
   * backend trains is the learner's machine's business, not the lesson's.
   */
  loadLesson(query: string): void {
    this.loadQuery(query, 'a link', { ...DEFAULT_CONFIG, backend: this.config.backend });
  }

  /** Settings written as a link's query, read through the URL table over `defaults` (clamped, with its notes). */
  loadQuery(query: string, origin: LossOrigin, defaults: RunConfig = DEFAULT_CONFIG): void {
    const parsed = parseUrl(query, defaults);
    this.load(parsed.config, origin);
    this.notes = parsed.notes;
  }

  /** A plain copy that can cross to the worker (a $state proxy cannot be cloned). */
  snapshot(): RunConfig {
    return $state.snapshot(this.config) as RunConfig;
  }

  setMethod(method: MethodId): void {
    this.config = { ...this.config, method, methodParams: defaultMethodParams(method) };
  }

  /** The query string for the current config. */
  query(): string {
    return serializeConfig(this.snapshot());
  }
}
