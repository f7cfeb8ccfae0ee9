/**
 * Every registered method trains a tiny student for a few steps on one batch through the real learner
 * machinery (modules, teacher inputs, preparation): finite losses, a falling loss, no tensor leak.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import { BatchSource } from '../../src/data/batches';
import { METHOD_CATALOG, METHOD_IDS, defaultMethodParams, teacherCount, type MethodId } from '../../src/contract/methodCatalog';
import { buildNetwork } from '../../src/models/zoo';
import { disposeOutputs, prepareStep, teacherContext, trainStep, unpackReadout } from '../../src/training/learner';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { syntheticImages } from '../helpers/synthetic';

const STEPS = 6;

async function trainFewSteps(method: MethodId, { side = 32, steps = STEPS } = {}) {
  const params = { ...defaultMethodParams(method), ...(METHOD_CATALOG[method].needs.teachers.max > 1 ? { teachers: 2 } : {}) };
  const config = { ...DEFAULT_CONFIG, method, teacher: 'tiny-cnn' as const, student: 'tiny-cnn' as const, methodParams: params };
  const teachers = Array.from({ length: teacherCount(method, params) }, (_, i) => buildNetwork('tiny-cnn', { numClasses: 4, name: `t${i}-${method}`, seed: 10 + i }));
  const learner = createLearner({ key: 'student', role: 'student', label: method, model: 'tiny-cnn', method, initSeed: 1 }, config, { numClasses: 4, imageSide: side }, teachers, `${method}-${side}-`);
  const source = new BatchSource(syntheticImages(8, 3, 4, side), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  const batch = source.trainBatch([0, 1, 2, 3, 4, 5, 6, 7], null);
  const before = tf.memory().numTensors;
  const readouts = [];
  for (let step = 0; step < steps; step++) {
    const context = teacherContext(learner.method.spec.needs.teachers.max > 0 ? learner : undefined, teachers, batch);
    const prepared = await prepareStep(learner, batch, context, 1); // epoch 1: CA-MKD's feature term is on
    const packed = trainStep(learner, batch, context, 1, 0.02, prepared);
    disposeOutputs(context.outputs);
    readouts.push(unpackReadout(await packed.packed.data(), packed));
    packed.packed.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  tf.dispose([batch.x, batch.labels]);
  source.dispose();
  disposeLearner(learner);
  teachers.forEach((t) => t.dispose());
  return { readouts, leaked };
}

describe('every method', () => {
  for (const method of METHOD_IDS) {
    it(`${method}: finite losses that fall over a few steps, no tensor growth`, async () => {
      const { readouts, leaked } = await trainFewSteps(method);
      for (const r of readouts) {
        expect(Number.isFinite(r.loss)).toBe(true);
        for (const value of [...Object.values(r.terms), ...Object.values(r.diagnostics)]) expect(Number.isFinite(value)).toBe(true);
      }
      expect(readouts.at(-1)!.loss).toBeLessThan(readouts[0]!.loss);
      expect(leaked).toBe(0);
    });
  }

  // An image folder imported at 64x64: every method's modules (regressors, a generator, LRP) take the larger images.
  for (const method of METHOD_IDS) {
    it(`${method} on 64x64 images: finite losses, no tensor growth`, async () => {
      const { readouts, leaked } = await trainFewSteps(method, { side: 64, steps: 1 });
      for (const r of readouts) expect([r.loss, ...Object.values(r.terms), ...Object.values(r.diagnostics)].every(Number.isFinite)).toBe(true);
      expect(leaked).toBe(0);
    });
  }

  it('multi-teacher methods report one weight per teacher, and the weights are sensible', async () => {
    const { readouts } = await trainFewSteps('camkd');
    const logitWeights = Object.entries(readouts[0]!.diagnostics).filter(([k]) => k.startsWith('logit weight'));
    expect(logitWeights).toHaveLength(2);
    expect(logitWeights.reduce((s, [, w]) => s + w, 0)).toBeCloseTo(1, 4); // CA-MKD logit weights sum to 1
    expect(Object.keys(readouts[0]!.terms).sort()).toEqual(['ce', 'inter', 'kd']);
  });
});
