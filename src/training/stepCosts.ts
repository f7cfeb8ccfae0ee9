/**
 * Measures seconds per training step and per evaluation batch for a plan, on throwaway copies of the
 * networks (the run's own weights stay untouched). The first call of each compiles the backend's shaders,
 * which the run then reuses: this is also the pipeline warm-up.
 *
 * Cost is measured once per architecture (its cross-entropy step and its forward pass), and the distilled
 * student's step once more as the run takes it, teachers and method included: the oracle's x* alone costs a
 * gradient pass through the teacher, three or four times the forward pass that used to stand in for it, and
 * a data-free method's generator makes each batch (TA-DFKD's estimate was a third of its run without it).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng } from '../core/random';
import type { BatchSource } from '../data/batches';
import { defaultMethodParams, METHOD_CATALOG } from '../contract/methodCatalog';
import type { ModelId } from '../contract/modelCatalog';
import type { Network } from '../models/network';
import type { SynthesisInputs } from '../methods/method';
import { stepLearners, synthesisInputs, teacherContext, type Learner } from './learner';
import { createLearner, disposeLearner, type LearnerInput } from './learners';
import type { PlannedLearner, RunPlan, StepCosts } from './plan';

/** The data-free methods' parameter: student steps per generator step. */
const GENERATOR_EVERY = 'studentSteps';

/** Seconds of one awaited call, after one untimed call that compiles what it needs. */
async function warmTimed(action: () => Promise<void>): Promise<number> {
  await action();
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

/** Any full batch times the same; the first images will do. */
function firstBatch(source: BatchSource, plan: RunPlan) {
  return source.trainBatch(Array.from({ length: plan.batch }, (_, i) => i), keyedRng(0, 'warmup-augment'));
}

/** One step as the run's loop takes it: the teachers' outputs (on the method's own input), the method's preparation, the update. */
async function stepOnce(learner: Learner, source: BatchSource, plan: RunPlan, teachers: readonly Network[] = []): Promise<void> {
  const batch = firstBatch(source, plan);
  try {
    const context = teacherContext(teachers.length > 0 ? learner : undefined, teachers, batch);
    await stepLearners([learner], () => batch, context, { epoch: 0, lr: 0 }); // resolves once the GPU work is done
  } finally {
    tf.dispose([batch.x, batch.labels]);
  }
}

/** One step of a data-free distiller as the run takes it: the generator makes the batch, then the update. */
async function dataFreeStepOnce(learner: Learner, teachers: readonly Network[], inputs: SynthesisInputs<unknown>): Promise<void> {
  const { batch } = await learner.method.synthesize!(inputs);
  try {
    await stepLearners([learner], () => batch, teacherContext(learner, teachers, batch), { epoch: 0, lr: 0 });
  } finally {
    tf.dispose([batch.x, batch.labels]);
  }
}

/**
 * A data-free distiller's step: its batch made (fresh noise through the generator, drawn until the kept
 * images fill it), the update, and the generator's own step spread over the `studentSteps` student steps
 * it waits for. The throwaway student takes that step after every step (studentSteps 1), so it is timed
 * without waiting for it.
 */
async function dataFreeStepSeconds(planned: PlannedLearner, plan: RunPlan, config: RunConfig, train: BatchSource, input: LearnerInput, teachers: readonly Network[]): Promise<number> {
  const every = config.methodParams[GENERATOR_EVERY] ?? defaultMethodParams(planned.method)[GENERATOR_EVERY] ?? 1;
  const everyStep = { ...config, methodParams: { ...config.methodParams, [GENERATOR_EVERY]: 1 } };
  const student = createLearner(planned, everyStep, input, teachers, 'warmup-');
  try {
    const inputs = synthesisInputs(student, teachers, train, plan.batch, config.seed, 0, 0);
    const step = await warmTimed(() => dataFreeStepOnce(student, teachers, inputs));
    const generator = await warmTimed(async () => void (await student.method.afterStep?.(inputs)));
    return step + generator / every;
  } finally {
    disposeLearner(student);
  }
}

/**
 * Seconds of the distilled student's step with its teachers, on throwaway networks, as the run takes it
 * (a data-free one's generator included). Not for the person's own loss: an estimate is asked for before
 * they agree to run it, so there the teachers' forward passes stand in (measureStepCosts).
 */
async function distilledStepSeconds(planned: PlannedLearner, plan: RunPlan, config: RunConfig, train: BatchSource, input: LearnerInput): Promise<number> {
  const teachers = plan.teachers.map((t) => createLearner({ ...t, method: 'scratch' }, config, input, [], 'warmup-'));
  const nets = teachers.map((t) => t.net);
  try {
    if (METHOD_CATALOG[planned.method].needs.dataFree) return await dataFreeStepSeconds(planned, plan, config, train, input, nets);
    const student = createLearner(planned, config, input, nets, 'warmup-');
    try {
      return await warmTimed(() => stepOnce(student, train, plan, nets));
    } finally {
      disposeLearner(student);
    }
  } finally {
    teachers.forEach(disposeLearner);
  }
}

function evalOnce(net: Network, source: BatchSource, batchSize: number): Promise<void> {
  const batch = source.evalBatch(0, batchSize);
  const logits = tf.tidy(() => net.apply(batch.x, { training: false }).logits);
  tf.dispose([batch.x, batch.labels]);
  return logits.data().then(() => logits.dispose());
}

export async function measureStepCosts(plan: RunPlan, config: RunConfig, train: BatchSource, test: BatchSource, numClasses: number): Promise<StepCosts> {
  const input: LearnerInput = { numClasses, imageSide: train.set.side };
  const learners = [...plan.teachers, ...plan.students];
  const byModel = new Map<ModelId, PlannedLearner>();
  for (const learner of learners) if (!byModel.has(learner.model)) byModel.set(learner.model, { ...learner, method: 'scratch' });

  const step = new Map<ModelId, number>();
  const forward = new Map<ModelId, number>();
  for (const [model, planned] of byModel) {
    const learner = createLearner(planned, config, input, [], 'warmup-');
    try {
      step.set(model, await warmTimed(() => stepOnce(learner, train, plan)));
      forward.set(model, await warmTimed(() => evalOnce(learner.net, test, plan.batch)));
    } finally {
      disposeLearner(learner);
    }
  }

  const teacherForward = plan.teachers.reduce((sum, t) => sum + forward.get(t.model)!, 0);
  const distillsFrom = (l: PlannedLearner) => METHOD_CATALOG[l.method].needs.teachers.max > 0;
  const distilled = plan.students.find(distillsFrom);
  const timed = distilled && !METHOD_CATALOG[distilled.method].needs.userCode;
  const distilledStep = timed ? await distilledStepSeconds(distilled, plan, config, train, input) : null;
  const stepOf = (l: PlannedLearner) => (!distillsFrom(l) ? step.get(l.model)! : (distilledStep ?? step.get(l.model)! + teacherForward));
  return {
    trainStep: Object.fromEntries(learners.map((l) => [l.key, stepOf(l)])),
    evalBatch: Object.fromEntries(learners.map((l) => [l.key, forward.get(l.model)!])),
  };
}
