/** Frozen teachers' logits computed once: the same numbers as computing them every step, when allowed. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchSource } from '../../src/data/batches';
import { planRun } from '../../src/training/plan';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { disposeOutputs, teacherOutputs, type Learner } from '../../src/training/learner';
import { METHODS } from '../../src/methods/index';
import { runExperiment, type RunServices } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { measureStepCosts } from '../../src/training/stepCosts';
import { canCacheTeacherLogits, TeacherLogitsCache } from '../../src/training/teacherLogitsCache';
import type { MethodId } from '../../src/contract/methodCatalog';
import type { RunConfig } from '../../src/config/runConfig';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data = tinyRunData();

/** The decision for a distilled student of `method` (only its method matters to it). */
function distillerFor(method: MethodId, augment: boolean): boolean {
  return canCacheTeacherLogits(tinyRunConfig({ method, augment }), { method: METHODS[method] } as Learner);
}

describe('the teacher logits cache', () => {
  it('is used only when every teacher output is fixed: no augmentation, no x*, no generator, logits only', () => {
    expect(distillerFor('kd', false)).toBe(true);
    expect(distillerFor('logit-mse', false)).toBe(true);
    expect(distillerFor('kd', true)).toBe(false);
    expect(distillerFor('oracle', false)).toBe(false);
    expect(distillerFor('fitnet', false)).toBe(false);
    expect(distillerFor('scratch', false)).toBe(false);
  });

  it('gathers exactly the logits a per-batch forward pass gives, and features cannot be read', async () => {
    const tensors = tf.memory().numTensors;
    const config = tinyRunConfig({ augment: false });
    const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
    const teacher = createLearner(plan.teachers[0]!, config, { numClasses: data.numClasses, imageSide: data.train.side });
    const train = new BatchSource(data.train, data.normalization);
    const cache = await TeacherLogitsCache.build([teacher.net], train, 12); // a batch size that leaves a short last batch
    const indices = [31, 0, 7, 7, 20];
    const batch = train.trainBatch(indices, null);
    const [direct] = teacherOutputs([teacher.net], batch.x);
    const cached = cache.context(indices);
    expect(cached.outputs[0]!.logits.shape).toEqual([5, data.numClasses]);
    const [a, b] = [await cached.outputs[0]!.logits.data(), await direct!.logits.data()];
    a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5));
    expect(() => cached.outputs[0]!.features.penultimate).toThrow(/logits only/);
    disposeOutputs(cached.outputs);
    disposeOutputs([direct!]);
    tf.dispose([batch.x, batch.labels]);
    cache.dispose();
    train.dispose();
    disposeLearner(teacher);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('a KD run with the cache ends with the numbers of the run without it', async () => {
    const config: RunConfig = tinyRunConfig({ method: 'kd', augment: false, epochs: 2, teacherEpochs: 1 });
    const run = (cacheTeacherOutputs: boolean) => {
      const services: RunServices = { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, data.numClasses), cacheTeacherOutputs };
      return runExperiment(config, data, new RunControl(), { started() {}, progress() {}, epoch() {}, learnerDone() {} }, services);
    };
    const [cached, uncached] = [await run(true), await run(false)];
    cached.results.forEach((result, i) => {
      const reference = uncached.results[i]!;
      expect(result.learner.key).toBe(reference.learner.key);
      expect(Math.abs(result.lastAccuracy - reference.lastAccuracy)).toBeLessThan(1e-4);
      expect(Math.abs(result.nll - reference.nll)).toBeLessThan(1e-4);
    });
  }, 300_000);
});
