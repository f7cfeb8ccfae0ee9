/**
 * Measures seconds per training step and per evaluation batch for a plan, on throwaway copies of the
 * networks (the run's own weights stay untouched). The first call of each compiles the backend's shaders,
 * which the run then reuses: this is also the pipeline warm-up.
 *
 * Cost is measured once per architecture: a learner's step is its architecture's cross-entropy step, plus
 * one teacher forward pass per teacher when its method distils (the distillation loss itself is small).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng } from '../core/random';
import type { BatchSource } from '../data/batches';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import type { ModelId } from '../contract/modelCatalog';
import type { Network } from '../models/network';
import { trainStep, type Learner } from './learner';
import { createLearner, disposeLearner } from './learners';
import type { PlannedLearner, RunPlan, StepCosts } from './plan';

/** Seconds of one awaited call, after one untimed call that compiles what it needs. */
async function warmTimed(action: () => Promise<void>): Promise<number> {
  await action();
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

function stepOnce(learner: Learner, source: BatchSource, plan: RunPlan): Promise<void> {
  // Any full batch times the same; the first images will do.
  const indices = Array.from({ length: plan.batch }, (_, i) => i);
  const batch = source.trainBatch(indices, keyedRng(0, 'warmup-augment'));
  const { packed } = trainStep(learner, batch, { nets: [], outputs: [] }, 0, 0, undefined);
  tf.dispose([batch.x, batch.labels]);
  return packed.data().then(() => packed.dispose()); // waits for the GPU work to finish
}

function evalOnce(net: Network, source: BatchSource, batchSize: number): Promise<void> {
  const batch = source.evalBatch(0, batchSize);
  const logits = tf.tidy(() => net.apply(batch.x, { training: false }).logits);
  tf.dispose([batch.x, batch.labels]);
  return logits.data().then(() => logits.dispose());
}

export async function measureStepCosts(plan: RunPlan, config: RunConfig, train: BatchSource, test: BatchSource, numClasses: number): Promise<StepCosts> {
  const learners = [...plan.teachers, ...plan.students];
  const byModel = new Map<ModelId, PlannedLearner>();
  for (const learner of learners) if (!byModel.has(learner.model)) byModel.set(learner.model, { ...learner, method: 'scratch' });

  const step = new Map<ModelId, number>();
  const forward = new Map<ModelId, number>();
  for (const [model, planned] of byModel) {
    const learner = createLearner(planned, config, { numClasses, imageSide: train.set.side }, [], 'warmup-');
    try {
      step.set(model, await warmTimed(() => stepOnce(learner, train, plan)));
      forward.set(model, await warmTimed(() => evalOnce(learner.net, test, plan.batch)));
    } finally {
      disposeLearner(learner);
    }
  }

  const teacherForward = plan.teachers.reduce((sum, t) => sum + forward.get(t.model)!, 0);
  const distillsFrom = (l: PlannedLearner) => METHOD_CATALOG[l.method].needs.teachers.max > 0;
  return {
    trainStep: Object.fromEntries(learners.map((l) => [l.key, step.get(l.model)! + (distillsFrom(l) ? teacherForward : 0)])),
    evalBatch: Object.fromEntries(learners.map((l) => [l.key, forward.get(l.model)!])),
  };
}
