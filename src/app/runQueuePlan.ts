/**
 * The run queue's rules as pure functions (DOM- and rune-free, so Node tests cover them): which seeds a
 * "repeat over N seeds" runs, why a count is refused, what happens after a run ends, and the status line.
 */
import { FIELDS } from '../config/fields';
import type { RunConfig } from '../config/runConfig';
import { experimentTitle } from '../storage/page/runSummary';

/** Each seed is a full run, so one request is capped to keep a click from queueing hours by accident. */
export const MAX_SEED_REPEATS = 20;

/** The largest seed the settings accept, read from the field table so the two never disagree. */
export const SEED_MAX: number = (() => {
  const type = FIELDS.find((field) => field.key === 'seed')?.type;
  return type && (type.kind === 'int' || type.kind === 'float') ? type.max : Number.MAX_SAFE_INTEGER;
})();

/** Why `count` seeds from `firstSeed` cannot be queued, or null when they can. */
export function seedCountProblem(count: number, firstSeed: number): string | null {
  if (!Number.isFinite(count)) return `Enter how many seeds to run, from 1 to ${MAX_SEED_REPEATS}.`;
  if (!Number.isInteger(count)) return 'The number of seeds must be a whole number.';
  if (count < 1) return 'Run at least 1 seed.';
  if (count > MAX_SEED_REPEATS) return `At most ${MAX_SEED_REPEATS} seeds at a time: each seed is a full run.`;
  if (firstSeed + count - 1 > SEED_MAX) return `Seeds ${firstSeed}\u2013${firstSeed + count - 1} pass the largest seed (${SEED_MAX}); lower the seed first.`;
  return null;
}

/** The seeds a repeat runs: the config's own seed, then the next ones up. */
export function seedList(firstSeed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => firstSeed + i);
}

/** The configs of a repeat, identical but for the seed; throws with the reason when the count is refused. */
export function seedConfigs(config: RunConfig, count: number): RunConfig[] {
  const problem = seedCountProblem(count, config.seed);
  if (problem) throw new RangeError(problem);
  return seedList(config.seed, count).map((seed) => ({ ...config, seed }));
}

/** How a queued item is named in the list: the experiment and its seed. */
export function queueLabel(config: RunConfig): string {
  return `${experimentTitle(config)} \u00b7 seed ${config.seed}`;
}

/** How a run ended, as far as the queue cares. */
export type RunOutcome = 'done' | 'stopped' | 'error';

/** The trainer's run states (a structural copy, so this file stays free of the Trainer class). */
type TrainerStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';

/**
 * Reads a run's end from a change of trainer status: a run that was training or paused ends `done`,
 * or `idle` when stopped; any new error counts (also a dataset failing to load for the next run).
 */
export function runOutcome(previous: TrainerStatus, current: TrainerStatus): RunOutcome | null {
  if (current === 'error') return previous === 'error' ? null : 'error';
  if (previous !== 'training' && previous !== 'paused') return null;
  if (current === 'done') return 'done';
  if (current === 'idle') return 'stopped';
  return null;
}

/**
 * `advancing`: the queue starts its next run whenever the trainer is free. `stopped` / `failed`: it was
 * halted by Stop or an error and waits for Continue. `off`: never started, finished, or cleared.
 */
export type QueueMode = 'off' | 'advancing' | 'stopped' | 'failed';

export type QueueDecision = 'ignore' | 'start-next' | 'finished' | 'pause' | 'halt';

/**
 * What the queue does when a run ends. Only an advancing queue reacts: a run started by hand while the
 * queue waits leaves it waiting. Done moves on; Stop pauses; an error halts until the user continues.
 */
export function decideAfterRun(mode: QueueMode, outcome: RunOutcome, pending: number): QueueDecision {
  if (mode !== 'advancing') return 'ignore';
  switch (outcome) {
    case 'done':
      return pending > 0 ? 'start-next' : 'finished';
    case 'stopped':
      return 'pause';
    case 'error':
      return 'halt';
  }
}

export interface QueueStatusInput {
  readonly mode: QueueMode;
  /** The queued run in progress, if any. */
  readonly active: { readonly seed: number } | null;
  /** Runs of this pass through the queue that finished. */
  readonly completed: number;
  readonly pending: number;
  /** The seed of the next waiting run, if any. */
  readonly nextSeed: number | null;
  /** How many runs the last pass finished, once it emptied the queue. */
  readonly lastFinished: number | null;
  readonly reason: string | null;
}

const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/** The one-line queue status, e.g. "Queue: run 2 of 5 (seed 3)". */
export function queueStatusText(q: QueueStatusInput): string {
  const total = q.completed + (q.active ? 1 : 0) + q.pending;
  const position = `run ${q.completed + 1} of ${total}`;
  const next = q.nextSeed === null ? '' : ` (seed ${q.nextSeed})`;
  switch (q.mode) {
    case 'advancing':
      return q.active ? `Queue: ${position} (seed ${q.active.seed})` : `Queue: ${position}${next} starts when the trainer is free.`;
    case 'stopped':
      return `Queue paused by Stop. Continue starts ${position}${next}; ${runs(q.pending)} waiting.`;
    case 'failed':
      return `Queue halted by an error${q.reason ? ` (${q.reason})` : ''}. Continue starts ${position}${next}; remove a run from the list to skip it.`;
    case 'off':
      if (q.pending > 0) return `Queue: ${runs(q.pending)} waiting. Start the queue to run them one after another.`;
      return q.lastFinished === null ? 'Queue empty.' : `Queue done: ${runs(q.lastFinished)} finished.`;
  }
}
