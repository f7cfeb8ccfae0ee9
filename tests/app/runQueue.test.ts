import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { RunQueue } from '../../src/app/runQueue.svelte';
import { decideAfterRun, MAX_SEED_REPEATS, queueStatusText, runOutcome, SEED_MAX, seedConfigs, seedCountProblem, seedList, type QueueStatusInput } from '../../src/app/runQueuePlan';

const config = (changes: Partial<RunConfig> = {}): RunConfig => ({ ...DEFAULT_CONFIG, method: 'scratch', ...changes });

describe('seeds of a repeat', () => {
  it('runs the config’s own seed, then the next ones up', () => {
    expect(seedList(4, 3)).toEqual([4, 5, 6]);
    expect(seedConfigs(config({ seed: 7, lr: 0.1 }), 2).map((c) => [c.seed, c.lr])).toEqual([
      [7, 0.1],
      [8, 0.1],
    ]);
  });

  it('reads the largest seed from the field table', () => {
    expect(SEED_MAX).toBe(2 ** 31 - 1);
  });

  it('accepts 1 to 20 whole seeds and says why anything else is refused', () => {
    expect(seedCountProblem(1, 1)).toBeNull();
    expect(seedCountProblem(MAX_SEED_REPEATS, 1)).toBeNull();
    expect(seedCountProblem(0, 1)).toBe('Run at least 1 seed.');
    expect(seedCountProblem(-3, 1)).toBe('Run at least 1 seed.');
    expect(seedCountProblem(999, 1)).toBe('At most 20 seeds at a time: each seed is a full run.');
    expect(seedCountProblem(2.5, 1)).toBe('The number of seeds must be a whole number.');
    expect(seedCountProblem(Number.NaN, 1)).toBe('Enter how many seeds to run, from 1 to 20.');
  });

  it('refuses seeds past the largest one instead of silently shifting them', () => {
    expect(seedCountProblem(1, SEED_MAX)).toBeNull();
    expect(seedCountProblem(2, SEED_MAX)).toMatch(/pass the largest seed \(2147483647\); lower the seed first/);
    expect(() => seedConfigs(config({ seed: SEED_MAX - 1 }), 3)).toThrow(/largest seed/);
    expect(() => seedConfigs(config(), 0)).toThrow('Run at least 1 seed.');
  });
});

describe('how a run ended', () => {
  it('reads done, stopped and error from status changes, and nothing else', () => {
    expect(runOutcome('training', 'done')).toBe('done');
    expect(runOutcome('paused', 'idle')).toBe('stopped');
    expect(runOutcome('training', 'idle')).toBe('stopped');
    expect(runOutcome('training', 'error')).toBe('error');
    expect(runOutcome('loading', 'error')).toBe('error');
    expect(runOutcome('error', 'error')).toBeNull();
    expect(runOutcome('loading', 'idle')).toBeNull();
    expect(runOutcome('training', 'paused')).toBeNull();
    expect(runOutcome('done', 'loading')).toBeNull();
  });
});

describe('start the next run?', () => {
  it('moves on after done, and finishes when nothing waits', () => {
    expect(decideAfterRun('advancing', 'done', 2)).toBe('start-next');
    expect(decideAfterRun('advancing', 'done', 0)).toBe('finished');
  });

  it('pauses on Stop and halts on an error', () => {
    expect(decideAfterRun('advancing', 'stopped', 2)).toBe('pause');
    expect(decideAfterRun('advancing', 'error', 2)).toBe('halt');
  });

  it('ignores runs while the queue is not advancing (runs started by hand)', () => {
    for (const mode of ['off', 'stopped', 'failed'] as const) for (const outcome of ['done', 'stopped', 'error'] as const) expect(decideAfterRun(mode, outcome, 3)).toBe('ignore');
  });
});

describe('queue status line', () => {
  const base: QueueStatusInput = { mode: 'off', active: null, completed: 0, pending: 0, nextSeed: null, lastFinished: null, reason: null };
  it('says where the queue is', () => {
    expect(queueStatusText(base)).toBe('Queue empty.');
    expect(queueStatusText({ ...base, mode: 'advancing', active: { seed: 3 }, completed: 1, pending: 3, nextSeed: 4 })).toBe('Queue: run 2 of 5 (seed 3)');
    expect(queueStatusText({ ...base, lastFinished: 2 })).toBe('Queue done: 2 runs finished.');
    expect(queueStatusText({ ...base, pending: 1, nextSeed: 1 })).toBe('Queue: 1 run waiting. Start the queue to run them one after another.');
    expect(queueStatusText({ ...base, mode: 'stopped', completed: 1, pending: 4, nextSeed: 2 })).toBe('Queue paused by Stop. Continue starts run 2 of 5 (seed 2); 4 runs waiting.');
    expect(queueStatusText({ ...base, mode: 'failed', pending: 1, nextSeed: 1, reason: 'Out of memory' })).toMatch(/^Queue halted by an error \(Out of memory\)\. Continue starts run 1 of 1 \(seed 1\)/);
  });
});

describe('RunQueue', () => {
  const seedsOf = (queue: RunQueue) => queue.items.map((item) => item.config.seed);

  it('keeps runs in order, labels them, and removes or clears them', () => {
    const queue = new RunQueue();
    queue.repeatOverSeeds(config({ seed: 1 }), 3);
    queue.enqueue(config({ seed: 9 }), 'mine');
    expect(seedsOf(queue)).toEqual([1, 2, 3, 9]);
    expect(queue.items[0]!.label).toBe('SCRATCH \u00b7 tiny-cnn \u00b7 seed 1');
    expect(queue.items[3]!.label).toBe('mine');
    queue.remove(1);
    expect(seedsOf(queue)).toEqual([1, 3, 9]);
    queue.clear();
    expect(queue.items).toEqual([]);
    expect(queue.status).toBe('Queue empty.');
  });

  it('refuses a bad count without queueing anything', () => {
    const queue = new RunQueue();
    expect(() => queue.repeatOverSeeds(config(), 999)).toThrow(/At most 20/);
    expect(queue.items).toEqual([]);
  });

  it('hands out runs only while advancing, then finishes', () => {
    const queue = new RunQueue();
    queue.repeatOverSeeds(config({ seed: 5 }), 2);
    expect(queue.next()).toBeUndefined(); // added but not started
    queue.resume();
    expect(queue.next()?.seed).toBe(5);
    expect(queue.status).toBe('Queue: run 1 of 2 (seed 5)');
    queue.runEnded('done');
    expect(queue.next()?.seed).toBe(6);
    expect(queue.status).toBe('Queue: run 2 of 2 (seed 6)');
    queue.runEnded('done');
    expect(queue.mode).toBe('off');
    expect(queue.next()).toBeUndefined();
    expect(queue.status).toBe('Queue done: 2 runs finished.');
  });

  it('puts a stopped run back at the front and waits for Continue', () => {
    const queue = new RunQueue();
    queue.repeatOverSeeds(config({ seed: 1 }), 3);
    queue.resume();
    queue.next();
    queue.runEnded('done');
    queue.next();
    queue.runEnded('stopped');
    expect(queue.mode).toBe('stopped');
    expect(seedsOf(queue)).toEqual([2, 3]);
    expect(queue.next()).toBeUndefined();
    expect(queue.status).toBe('Queue paused by Stop. Continue starts run 2 of 3 (seed 2); 2 runs waiting.');
    queue.runEnded('done'); // a run started by hand meanwhile leaves the queue waiting
    expect(queue.mode).toBe('stopped');
    queue.resume();
    expect(queue.next()?.seed).toBe(2);
    expect(queue.status).toBe('Queue: run 2 of 3 (seed 2)');
  });

  it('halts on an error with its reason', () => {
    const queue = new RunQueue();
    queue.repeatOverSeeds(config({ seed: 1 }), 2);
    queue.resume();
    queue.next();
    queue.runEnded('error', 'GPU lost');
    expect(queue.mode).toBe('failed');
    expect(queue.reason).toBe('GPU lost');
    expect(seedsOf(queue)).toEqual([1, 2]);
    expect(queue.status).toMatch(/^Queue halted by an error \(GPU lost\)/);
    queue.clear();
    expect(queue.mode).toBe('off');
    expect(queue.reason).toBeNull();
  });

  it('lets a queued run in progress finish after a clear, then ends', () => {
    const queue = new RunQueue();
    queue.repeatOverSeeds(config({ seed: 1 }), 3);
    queue.resume();
    queue.next();
    queue.clear();
    expect(queue.advancing).toBe(true);
    queue.runEnded('done');
    expect(queue.mode).toBe('off');
    expect(queue.status).toBe('Queue done: 1 run finished.');
  });
});
