import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { BatchSource } from '../../src/data/batches';
import type { LabeledImages } from '../../src/data/cifarBinary';
import { fitTemperature, reliabilityBins } from '../../src/core/calibration';
import { softmaxRows } from '../../src/core/metrics';
import { calibrationFor } from '../../src/viz/reliability';
import type { RunConfig } from '../../src/config/runConfig';
import { runExperiment, type RunData, type RunEvents } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { TeacherCache } from '../../src/training/teacherCache';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { EpochMetrics, ModelResult } from '../../src/contract/protocol';
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
    // The whole subset (no hold-out): two steps per epoch, enough for lr 1e6 to overflow.
    await expect(runExperiment({ ...config, holdout: false, lr: 1e6, method: 'scratch', methodParams: {}, epochs: 1 }, data, new RunControl(), recorder().events, { measureCosts: measure })).rejects.toThrow(/NaN or infinite.*lower learning rate/);
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

  it('keeps the hold-out out of every training batch and cached teacher logit, and scores every model on it', async () => {
    // Each image carries its id in its first byte, so whatever a BatchSource reads can be traced back.
    const stamp = (set: LabeledImages, offset: number): LabeledImages => {
      const images = set.images.slice();
      for (let i = 0; i < set.count; i++) images[i * 3072] = offset + i;
      return { ...set, images };
    };
    const stamped: RunData = { ...data, train: stamp(data.train, 0), test: stamp(data.test, 200) };
    const idsOf = (source: BatchSource, indices: Iterable<number>) => [...indices].map((i) => source.set.images[i * 3072]!);
    const trainSpy = vi.spyOn(BatchSource.prototype, 'trainBatch');
    const evalSpy = vi.spyOn(BatchSource.prototype, 'evalBatch');
    try {
      // No augmentation: KD caches the teachers' logits over the training images, one more path to check.
      const short = { ...config, augment: false, epochs: 1, teacherEpochs: 1 };
      const outcome = await runExperiment(short, stamped, new RunControl(), recorder().events, { measureCosts: measure });
      const read = new Map<BatchSource, Set<number>>();
      const note = (source: BatchSource, ids: number[]) => ids.forEach((id) => (read.get(source) ?? read.set(source, new Set()).get(source)!).add(id));
      trainSpy.mock.calls.forEach(([indices], k) => note(trainSpy.mock.contexts[k] as BatchSource, idsOf(trainSpy.mock.contexts[k] as BatchSource, Array.from(indices))));
      evalSpy.mock.calls.forEach(([start, size], k) => {
        const source = evalSpy.mock.contexts[k] as BatchSource;
        note(source, idsOf(source, Array.from({ length: Math.max(0, Math.min(size, source.set.count - start)) }, (_, i) => start + i)));
      });
      const trainSources = [...read.keys()].filter((s) => trainSpy.mock.contexts.includes(s));
      const heldSources = [...read.keys()].filter((s) => !trainSources.includes(s) && s.set.images[0]! < 200);
      expect(trainSources).toHaveLength(1);
      expect(heldSources).toHaveLength(1);
      const trained = read.get(trainSources[0]!)!;
      const held = read.get(heldSources[0]!)!;
      expect(held.size).toBe(3); // round(10% of 32)
      expect([...held].filter((id) => trained.has(id))).toEqual([]);
      expect(new Set([...trained, ...held]).size).toBe(32);
      for (const result of outcome.results) {
        expect(result.heldOutLabels).toHaveLength(3);
        expect(result.heldOutLogits).toHaveLength(3 * data.numClasses);
        // The calibration panel's numbers are a direct computation from these held-out and test logits.
        const panel = calibrationFor(result, data.numClasses, 15, 'held-out')!;
        const t = fitTemperature(result.heldOutLogits!, result.heldOutLabels!, data.numClasses);
        expect(panel.temperature).toBe(t);
        expect(panel.scaled.ece).toBe(reliabilityBins(softmaxRows(result.testLogits, data.numClasses, t), result.testLabels, data.numClasses, 15).ece);
      }
      // The split is a function of the seed alone: a second run holds out the same images.
      const heldBefore = [...held].sort();
      evalSpy.mockClear();
      trainSpy.mockClear();
      await runExperiment({ ...short, method: 'scratch', methodParams: {} }, stamped, new RunControl(), recorder().events, { measureCosts: measure });
      const again = evalSpy.mock.contexts.map((c) => c as BatchSource).find((s) => s.set.count === 3 && s.set.images[0]! < 200)!;
      expect(idsOf(again, [0, 1, 2]).sort()).toEqual(heldBefore);
    } finally {
      trainSpy.mockRestore();
      evalSpy.mockRestore();
    }
  });

  it('holds nothing out with holdout=0: every model trains on the whole subset, no held-out logits', async () => {
    const outcome = await runExperiment({ ...config, holdout: false, method: 'scratch', methodParams: {}, epochs: 1 }, data, new RunControl(), recorder().events, { measureCosts: measure });
    expect(outcome.results[0]!.heldOutLogits).toBeUndefined();
  });
});
