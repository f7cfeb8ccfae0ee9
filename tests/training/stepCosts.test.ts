/**
 * What the run estimate times. Timings themselves are the benchmark's business; here, that the distilled
 * student's step is measured as the run takes it, with the method's teacher passes, without leaking tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchSource } from '../../src/data/batches';
import { METHODS } from '../../src/methods';
import { planRun } from '../../src/training/plan';
import { measureStepCosts } from '../../src/training/stepCosts';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data = tinyRunData();

const PARAMS = { oracle: { gamma: 0.2 }, custom: {}, 'ta-dfkd': { nz: 8, ngf: 4, studentSteps: 5 } };

async function measure(method: keyof typeof PARAMS, userLoss?: string) {
  const config = tinyRunConfig({ method, methodParams: PARAMS[method], ...(userLoss ? { userLoss } : {}) });
  const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
  const train = new BatchSource(data.train, data.normalization);
  const test = new BatchSource(data.test, data.normalization);
  try {
    return await measureStepCosts(plan, config, train, test, data.numClasses);
  } finally {
    train.dispose();
    test.dispose();
  }
}

describe('measureStepCosts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('times the oracle student with its x*, a gradient pass through the teacher, and leaves no tensors', async () => {
    await measure('oracle'); // the first call compiles and allocates what later ones reuse
    const before = tf.memory().numTensors;
    const teacherInput = vi.spyOn(METHODS.oracle, 'teacherInput');
    const costs = await measure('oracle');
    // Once untimed (the warm-up) and once timed.
    expect(teacherInput).toHaveBeenCalledTimes(2);
    expect(Object.keys(costs.trainStep).sort()).toEqual(['scratch', 'student', 'teacher0']);
    for (const seconds of Object.values(costs.trainStep)) expect(seconds).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('times a data-free student with its generator: the batch it makes, and its own step, however rare', async () => {
    await measure('ta-dfkd');
    const before = tf.memory().numTensors;
    const synthesize = vi.spyOn(METHODS['ta-dfkd'], 'synthesize');
    const afterStep = vi.spyOn(METHODS['ta-dfkd'], 'afterStep');
    const costs = await measure('ta-dfkd');
    expect(synthesize).toHaveBeenCalledTimes(2);
    // The generator's step ran both times (studentSteps 5 would have skipped it), and its diagnostics came back.
    expect(afterStep).toHaveBeenCalledTimes(2);
    expect(Object.keys(await afterStep.mock.results[1]!.value)).toContain('generator loss');
    expect(costs.trainStep.student).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never runs the person’s own loss: an estimate comes before their consent', async () => {
    // A loss that loops forever would hang here if it ran; this one throws instead.
    const costs = await measure('custom', 'throw new Error("the loss ran");\nreturn tf.mean(student);');
    expect(costs.trainStep.student).toBeGreaterThan(costs.trainStep.scratch!);
  });
});
