import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/runConfig';
import { runExperiment, type RunData, type RunEvents } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { TeacherCache } from '../../src/training/teacherCache';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { EpochMetrics, ModelResult } from '../../src/workers/protocol';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data: RunData = tinyRunData();

const config: RunConfig = tinyRunConfig();

function recorder() {
  const epochs: (EpochMetrics & { numTensors: number })[] = [];
  const done: ModelResult[] = [];
  let progressCount = 0;
  const events: RunEvents = {
    started: () => {},
    progress: () => void progressCount++,
    epoch: (m) => epochs.push({ ...m, numTensors: tf.memory().numTensors }),
    learnerDone: (r) => done.push(r),
  };
  return { events, epochs, done, progress: () => progressCount };
}

const measure = (plan: Parameters<typeof measureStepCosts>[0], train: Parameters<typeof measureStepCosts>[2], test: Parameters<typeof measureStepCosts>[3]) =>
  measureStepCosts(plan, config, train, test, data.numClasses);

describe('runExperiment', () => {
  it('trains a teacher, then a scratch and a KD student on the same batches, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const log = recorder();
    const outcome = await runExperiment(config, data, new RunControl(), log.events, { measureCosts: measure });

    expect(outcome.stopped).toBe(false);
    expect(outcome.results.map((r) => r.learner.key)).toEqual(['teacher0', 'scratch', 'student']);
    for (const result of outcome.results) {
      expect(result.epochs).toBe(2);
      expect(result.lastAccuracy).toBeGreaterThanOrEqual(0);
      expect(result.lastAccuracy).toBeLessThanOrEqual(1);
      expect(result.ece).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(result.nll)).toBe(true);
    }
    // The student's loss has both named terms; the baseline only cross-entropy.
    const studentEpoch = log.epochs.find((m) => m.learner === 'student')!;
    expect(Object.keys(studentEpoch.terms).sort()).toEqual(['ce', 'kd']);
    expect(Object.keys(log.epochs.find((m) => m.learner === 'scratch')!.terms)).toEqual(['ce']);
    // The teacher learns the synthetic task.
    expect(outcome.results[0]!.bestAccuracy).toBeGreaterThan(0.4);
    // No growth of live tensors from one epoch to the next, and nothing left behind.
    const perLearnerEpoch = (key: string) => log.epochs.filter((m) => m.learner === key).map((m) => m.numTensors);
    const [s1, s2] = perLearnerEpoch('student');
    expect(s2).toBe(s1);
    expect(tf.memory().numTensors).toBe(before);
    expect(log.progress()).toBeGreaterThan(0);
  });

  it('is deterministic for a seed', async () => {
    const short = { ...config, epochs: 1, teacherEpochs: 1 };
    const a = await runExperiment(short, data, new RunControl(), recorder().events, { measureCosts: measure });
    const b = await runExperiment(short, data, new RunControl(), recorder().events, { measureCosts: measure });
    expect(b.results.map((r) => r.lastAccuracy)).toEqual(a.results.map((r) => r.lastAccuracy));
    expect(b.results.map((r) => r.nll)).toEqual(a.results.map((r) => r.nll));
  });

  it('the scratch method trains the student alone, without a teacher', async () => {
    const outcome = await runExperiment({ ...config, method: 'scratch', methodParams: {}, epochs: 1 }, data, new RunControl(), recorder().events, { measureCosts: measure });
    expect(outcome.results.map((r) => r.learner.key)).toEqual(['scratch']);
  });

  it('stops within a batch and frees everything', async () => {
    const before = tf.memory().numTensors;
    const control = new RunControl();
    const log = recorder();
    const events: RunEvents = { ...log.events, progress: (p) => (p.phase === 'teachers' && p.step === 1 ? control.stop() : undefined) };
    const outcome = await runExperiment(config, data, control, events, { measureCosts: measure });
    expect(outcome.stopped).toBe(true);
    expect(outcome.results).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports divergence clearly', async () => {
    await expect(runExperiment({ ...config, lr: 1e6, method: 'scratch', methodParams: {}, epochs: 1 }, data, new RunControl(), recorder().events, { measureCosts: measure })).rejects.toThrow(/NaN or infinite.*lower learning rate/);
  });

  it('reuses a teacher trained earlier with the same settings, and frees it when the cache is cleared', async () => {
    const before = tf.memory().numTensors;
    const cache = new TeacherCache();
    const short = { ...config, epochs: 1, teacherEpochs: 1 };
    const first = await runExperiment(short, data, new RunControl(), recorder().events, { measureCosts: measure, teacherCache: cache });
    const second = await runExperiment({ ...short, method: 'logit-mse', methodParams: {} }, data, new RunControl(), recorder().events, { measureCosts: measure, teacherCache: cache });
    expect(first.results[0]!.reused).toBe(false);
    expect(second.results[0]!.reused).toBe(true);
    expect(second.results[0]!.lastAccuracy).toBe(first.results[0]!.lastAccuracy);
    // A different teacher setting trains a new teacher.
    const third = await runExperiment({ ...short, teacherEpochs: 2 }, data, new RunControl(), recorder().events, { measureCosts: measure, teacherCache: cache });
    expect(third.results[0]!.reused).toBe(false);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(tf.memory().numTensors).toBe(before);
  });
});
