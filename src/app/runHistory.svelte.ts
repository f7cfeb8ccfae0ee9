/**
 * Keeps every run in the browser: remembers the config a run started with (the form may change during the
 * run) and saves the run when it ends, finished or stopped. Owns the store handle and its error for the
 * runs panel; `version` bumps after each save so the panel reloads its list.
 */
import type { RunConfig } from '../config/runConfig';
import { newRunId, openRunStore, savedRunFrom, type RunStore } from '../storage/page/runStore';
import type { NotKept } from '../client/notKept.svelte';
import type { Trainer } from '../client/trainer.svelte';

export class RunHistory {
  store = $state.raw<RunStore | null>(null);
  error = $state<string | null>(null);
  version = $state(0);
  #started: RunConfig | null = null;

  constructor(private readonly notKept: NotKept) {
    openRunStore().then(
      (store) => (this.store = store),
      (error: Error) => {
        this.error = error.message;
        notKept.report('the runs you make on this page (each run ends unsaved)', error);
      },
    );
  }

  started(config: RunConfig): void {
    this.#started = config;
  }

  /** Saves the run that just ended (call once `trainer.runSeconds` is set). */
  ended(trainer: Trainer, seconds: number): void {
    const config = this.#started;
    this.#started = null;
    if (!config || !this.store || (trainer.results.length === 0 && trainer.epochs.length === 0)) return;
    const run = savedRunFrom({
      config,
      learners: trainer.plan?.learners ?? [],
      epochs: trainer.epochs,
      results: trainer.results,
      seconds,
      backend: trainer.backend ?? config.backend,
      adapter: trainer.adapter,
      stopped: trainer.status !== 'done',
      now: Date.now(),
      id: newRunId(),
    });
    this.store.save(run).then(
      () => this.version++,
      (error: Error) => {
        this.error = `Could not save the run: ${error.message}`;
        this.notKept.report(`the run “${run.name}” (its curves and results are on this page until you leave it)`, error);
      },
    );
  }
}
