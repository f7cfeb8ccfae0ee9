/**
 * Runs waiting to go one after another (e.g. one config over several seeds). Holds the pending configs
 * and whether the queue is advancing; the page starts each run through its usual `start` path and tells
 * the queue how runs end. In memory only: the queue lasts for this browser session.
 */
import type { RunConfig } from '../config/runConfig';
import { decideAfterRun, queueLabel, queueStatusText, seedConfigs, type QueueMode, type RunOutcome } from './runQueuePlan';

export interface QueuedRun {
  /** Stable key for the list, since the same config may be queued twice. */
  readonly id: number;
  readonly config: RunConfig;
  readonly label: string;
}

export class RunQueue {
  /** Waiting runs, next first. Replaced, never mutated, so it can be raw state. */
  items = $state.raw<readonly QueuedRun[]>([]);
  /** The queued run in progress, if any (a run started by hand is not one). */
  active = $state.raw<QueuedRun | null>(null);
  mode = $state<QueueMode>('off');
  /** Runs of the current pass through the queue that finished, for "run 2 of 5". */
  completed = $state(0);
  /** How many runs the last pass finished, kept for the status line once the queue empties. */
  lastFinished = $state<number | null>(null);
  /** Why the queue halted (the run's error), when `mode` is `failed`. */
  reason = $state<string | null>(null);
  #nextId = 1;

  readonly advancing = $derived(this.mode === 'advancing');
  readonly halted = $derived(this.mode === 'stopped' || this.mode === 'failed');
  readonly status = $derived(
    queueStatusText({
      mode: this.mode,
      active: this.active ? { seed: this.active.config.seed } : null,
      completed: this.completed,
      pending: this.items.length,
      nextSeed: this.items[0]?.config.seed ?? null,
      lastFinished: this.lastFinished,
      reason: this.reason,
    }),
  );

  /** Adds a run to the end of the queue (the config should be a plain snapshot, not form state). */
  enqueue(config: RunConfig, label: string = queueLabel(config)): void {
    this.items = [...this.items, { id: this.#nextId++, config, label }];
  }

  /** Queues `count` copies of `config` with seeds seed, seed + 1, ...; throws the reason if refused. */
  repeatOverSeeds(config: RunConfig, count: number): void {
    for (const seeded of seedConfigs(config, count)) this.enqueue(seeded);
  }

  remove(index: number): void {
    this.items = this.items.filter((_, i) => i !== index);
    if (this.items.length === 0 && !this.active) this.#reset();
  }

  /** Drops the waiting runs; a queued run in progress finishes, and the queue then ends. */
  clear(): void {
    this.items = [];
    if (!this.active) this.#reset();
  }

  /** Starts or continues the queue: its next run starts when the trainer is free. */
  resume(): void {
    if (this.items.length === 0) return;
    if (this.mode === 'off') {
      this.completed = 0;
      this.lastFinished = null;
    }
    this.reason = null;
    this.mode = 'advancing';
  }

  /** The next run's config, without taking it (the page shows it in the form while its dataset loads). */
  peek(): RunConfig | undefined {
    return this.items[0]?.config;
  }

  /** Takes the next run and marks it in progress; the caller starts it. */
  next(): RunConfig | undefined {
    const [first, ...rest] = this.items;
    if (!first || !this.advancing) return undefined;
    this.items = rest;
    this.active = first;
    return first.config;
  }

  /** Tells the queue a run ended; a stopped or failed queued run goes back to the front, to run again on Continue. */
  runEnded(outcome: RunOutcome, error: string | null = null): void {
    const decision = decideAfterRun(this.mode, outcome, this.items.length);
    const ended = this.active;
    this.active = null;
    switch (decision) {
      case 'ignore':
        return;
      case 'start-next':
        if (ended) this.completed++;
        return;
      case 'finished':
        this.lastFinished = this.completed + (ended ? 1 : 0);
        this.completed = 0;
        this.mode = 'off';
        return;
      case 'pause':
      case 'halt':
        if (ended) this.items = [ended, ...this.items];
        this.mode = decision === 'pause' ? 'stopped' : 'failed';
        this.reason = decision === 'halt' ? error : null;
        return;
    }
  }

  #reset(): void {
    this.mode = 'off';
    this.completed = 0;
    this.lastFinished = null;
    this.reason = null;
  }
}
