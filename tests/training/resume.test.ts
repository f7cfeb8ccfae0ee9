/**
 * Checkpoints: a run resumed from any epoch's checkpoint (teachers' or students') ends with the numbers of
 * the run that never stopped, because every variable is saved and every random draw is keyed by
 * (seed, purpose, epoch, step).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/runConfig';
import type { RunCheckpoint } from '../../src/storage/checkpointStore';
import { resumable } from '../../src/storage/worker/checkpoint';
import { runExperiment, type RunEvents, type RunServices } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { EpochMetrics, ModelResult } from '../../src/contract/protocol';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data = tinyRunData();
const config: RunConfig = tinyRunConfig({ method: 'kd', epochs: 2, teacherEpochs: 2, augment: true, seed: 3 });

async function run(resume?: RunCheckpoint, planned: RunConfig = config) {
  const checkpoints: RunCheckpoint[] = [];
  const epochs: EpochMetrics[] = [];
  const learnerDone: string[] = [];
  const events: RunEvents = { started() {}, progress() {}, epoch: (m) => epochs.push(m), learnerDone: (r) => learnerDone.push(r.learner.key) };
  const services: RunServices = {
    measureCosts: (plan, train, test) => measureStepCosts(plan, planned, train, test, data.numClasses),
    checkpoints: { backend: 'cpu', save: async (c) => void checkpoints.push(c) },
    resume,
  };
  const outcome = await runExperiment(resume?.config ?? planned, data, new RunControl(), events, services);
  return { results: outcome.results, checkpoints, epochs, learnerDone };
}

function expectSameResults(actual: readonly ModelResult[], expected: readonly ModelResult[]): void {
  expect(actual.map((r) => r.learner.key)).toEqual(expected.map((r) => r.learner.key));
  actual.forEach((result, i) => {
    const reference = expected[i]!;
    for (const key of ['lastAccuracy', 'bestAccuracy', 'ece', 'nll'] as const) expect(Math.abs(result[key] - reference[key]), `${result.learner.key} ${key}`).toBeLessThan(1e-4);
    expect(result.bestEpoch).toBe(reference.bestEpoch);
    result.testLogits.forEach((v, j) => expect(Math.abs(v - reference.testLogits[j]!)).toBeLessThan(1e-4));
    // The hold-out is a function of the seed: a resumed run holds out (and scores) the same images.
    expect(result.heldOutLabels, `${result.learner.key} hold-out`).toEqual(reference.heldOutLabels);
    expect(result.heldOutLogits!.length).toBeGreaterThan(0);
    result.heldOutLogits!.forEach((v, j) => expect(Math.abs(v - reference.heldOutLogits![j]!)).toBeLessThan(1e-4));
  });
}

describe('resuming a run from a checkpoint', () => {
  let full: Awaited<ReturnType<typeof run>>;
  let tensors = 0;
  beforeAll(async () => {
    tensors = tf.memory().numTensors;
    full = await run();
  }, 300_000);

  it('gives the numbers of the run that never stopped, from a teacher epoch or a student epoch', async () => {
    // One checkpoint after each epoch that has another after it: teacher epoch 1, student epoch 1.
    expect(full.checkpoints.map((c) => [c.phase, c.teachersDone, c.epochsDone])).toEqual([
      ['teachers', 0, 1],
      ['students', 1, 1],
    ]);
    expect(full.checkpoints[1]!.results.map((r) => r.learner.key)).toEqual(['teacher0']);
    expect(full.checkpoints[1]!.history.map((m) => `${m.learner}@${m.epoch}`)).toEqual(['teacher0@1', 'teacher0@2', 'scratch@1', 'student@1']);

    for (const checkpoint of [full.checkpoints[0]!, full.checkpoints[1]!]) {
      const resumed = await run(checkpoint);
      expectSameResults(resumed.results, full.results);
      // The page gets the earlier epochs again first, then the new ones: the same curves in the end.
      const curve = (epochs: EpochMetrics[]) => epochs.map((m) => [m.learner, m.epoch, m.trainLoss, m.testAccuracy]);
      const sorted = (epochs: EpochMetrics[]) => curve(epochs).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
      const resumedCurve = sorted(resumed.epochs);
      sorted(full.epochs).forEach((row, i) => {
        expect(resumedCurve[i]!.slice(0, 2)).toEqual(row.slice(0, 2));
        expect(Math.abs(Number(resumedCurve[i]![2]) - Number(row[2]))).toBeLessThan(1e-4);
        expect(Math.abs(Number(resumedCurve[i]![3]) - Number(row[3]))).toBeLessThan(1e-4);
      });
      expect(resumed.learnerDone).toEqual(['teacher0', 'scratch', 'student']);
    }
    expect(tf.memory().numTensors).toBe(tensors);
  }, 600_000);

  it('a checkpoint from another run is refused by name, and methods with hidden state do not checkpoint', async () => {
    const checkpoint = full.checkpoints[1]!;
    const broken: RunCheckpoint = { ...checkpoint, specs: checkpoint.specs.filter((s) => !s.name.startsWith('student/net/')), weights: checkpoint.weights };
    await expect(run(broken)).rejects.toThrow(/checkpoint does not fit this run/);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(resumable('kd')).toBe(true);
    expect(resumable('camkd')).toBe(true);
    expect(resumable('refilled')).toBe(false);
    expect(resumable('ta-dfkd')).toBe(false);
  }, 600_000);
});

describe('resuming a run whose student draws dropout masks', () => {
  // REFILLED-WRN keys its masks by its count of training forwards: the checkpoint must carry the count.
  const dropoutConfig: RunConfig = tinyRunConfig({ method: 'kd', student: 'wrn_16_1_refilled', epochs: 2, teacherEpochs: 1, seed: 5 });

  it('draws the masks the run that never stopped drew, and refuses a checkpoint without the count', async () => {
    const tensors = tf.memory().numTensors;
    const full = await run(undefined, dropoutConfig);
    const checkpoint = full.checkpoints.find((c) => c.phase === 'students')!;
    // The student and its scratch twin (the same network) have each made an epoch's training forwards.
    for (const key of ['scratch', 'student']) expect(checkpoint.trainingPasses?.[key], key).toBeGreaterThan(0);
    const resumed = await run(checkpoint, dropoutConfig);
    expectSameResults(resumed.results, full.results);

    const { trainingPasses: _, ...withoutCount } = checkpoint;
    await expect(run(withoutCount, dropoutConfig)).rejects.toThrow(/"scratch" has no training pass count/);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 600_000);
});
