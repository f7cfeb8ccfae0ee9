/**
 * Measures the seconds per training step and per evaluation batch of each learner in a plan, on
 * throwaway copies of the networks (so the run's own weights are untouched). The first step of each
 * compiles the backend's shaders, which the run then reuses: this is also the pipeline warm-up.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng, permutation } from '../core/random';
import type { BatchSource } from '../data/batches';
import type { Network } from '../models/network';
import { disposeOutputs, teacherOutputs, trainStep, type Learner } from './learner';
import { createLearner, disposeLearner } from './learners';
import type { RunPlan, StepCosts } from './plan';

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

async function stepOnce(learner: Learner, teachers: readonly Network[], source: BatchSource, plan: RunPlan): Promise<void> {
  const indices = permutation(plan.trainImages, keyedRng(0, 'warmup')).subarray(0, plan.batch);
  const batch = source.trainBatch(indices, keyedRng(0, 'warmup-augment'));
  const outputs = learner.method.spec.needs.teachers.max > 0 ? teacherOutputs(teachers, batch.x) : [];
  const { packed } = trainStep(learner, batch, outputs, 0, 0);
  disposeOutputs(outputs);
  tf.dispose([batch.x, batch.labels]);
  await packed.data(); // waits for the GPU work to finish
  packed.dispose();
}

async function evalOnce(net: Network, source: BatchSource, batchSize: number): Promise<void> {
  const batch = source.evalBatch(0, batchSize);
  const logits = tf.tidy(() => net.apply(batch.x, { training: false }).logits);
  tf.dispose([batch.x, batch.labels]);
  await logits.data();
  logits.dispose();
}

export async function measureStepCosts(plan: RunPlan, config: RunConfig, train: BatchSource, test: BatchSource, numClasses: number): Promise<StepCosts> {
  const learners = [...plan.teachers.slice(0, 1), ...plan.students].map((p) => createLearner(p, config, numClasses, 'warmup-'));
  const teacherNets = plan.teachers.length > 0 ? [learners[0]!.net] : [];
  const trainStepCost: Record<string, number> = {};
  const evalBatchCost: Record<string, number> = {};
  try {
    for (const learner of learners) {
      await stepOnce(learner, teacherNets, train, plan); // compiles shaders
      trainStepCost[learner.info.key] = await timed(() => stepOnce(learner, teacherNets, train, plan));
      await evalOnce(learner.net, test, plan.batch);
      evalBatchCost[learner.info.key] = await timed(() => evalOnce(learner.net, test, plan.batch));
    }
  } finally {
    learners.forEach(disposeLearner);
  }
  // Every teacher costs what the first one does: they share the architecture.
  for (const teacher of plan.teachers) {
    trainStepCost[teacher.key] = trainStepCost[plan.teachers[0]!.key]!;
    evalBatchCost[teacher.key] = evalBatchCost[plan.teachers[0]!.key]!;
  }
  return { trainStep: trainStepCost, evalBatch: evalBatchCost };
}
