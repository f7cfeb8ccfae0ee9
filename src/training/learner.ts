/**
 * A learner is one model being trained in a run (a teacher, the scratch baseline or the distilled
 * student) with its optimizer, its method and the method's modules. `trainStep` is the per-batch update.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../data/batches';
import { keyedRng } from '../core/random';
import type { ParamStore } from '../models/layers';
import type { DistillationMethod, MethodStep, StepInputs, SynthesisInputs } from '../methods/method';
import type { FeatureTaps, ModelOutput, Network } from '../models/network';
import type { LearnerInfo } from '../contract/protocol';
import type { Sgd } from './sgd';

export interface Learner {
  readonly info: LearnerInfo;
  readonly net: Network;
  readonly method: DistillationMethod;
  readonly params: Readonly<Record<string, number>>;
  /** The method's trainable modules (regressors, embedders) and the store that owns their variables. */
  readonly modules: unknown;
  readonly moduleStore: ParamStore | null;
  readonly optimizer: Sgd;
}

/** Whether a learner's method distils from teachers. */
export function distils(learner: Learner): boolean {
  return learner.method.spec.needs.teachers.max > 0;
}

/** One step's numbers, read back asynchronously: total loss, correct predictions, terms and diagnostics. */
export interface StepReadout {
  readonly loss: number;
  readonly correct: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly diagnostics: Readonly<Record<string, number>>;
}

export interface PackedStep {
  /** [loss, correct, ...terms, ...diagnostics], read back with one asynchronous `data()` call. */
  readonly packed: tf.Tensor1D;
  readonly termNames: readonly string[];
  readonly diagnosticNames: readonly string[];
}

export interface TeacherContext {
  readonly nets: readonly Network[];
  readonly outputs: readonly ModelOutput[];
}

const NO_TEACHERS: TeacherContext = { nets: [], outputs: [] };

const notCached = (): never => {
  throw new Error('Cached teacher outputs hold logits only; a method that reads features must not declare teacherLogitsOnly.');
};
/** The features of a cached teacher output: reading one is a bug in a method's declared needs. */
export const LOGITS_ONLY_FEATURES: FeatureTaps = Object.freeze({
  get stem(): never {
    return notCached();
  },
  get stages(): never {
    return notCached();
  },
  get penultimate(): never {
    return notCached();
  },
});

/** A training-mode forward pass that restores BatchNorm's running statistics afterwards. */
export function forwardKeepingStatistics(net: Network, x: tf.Tensor4D): ModelOutput {
  const statistics = net.params.statistics;
  const saved = statistics.map((v) => tf.clone(v));
  try {
    return net.apply(x, { training: true });
  } finally {
    statistics.forEach((v, i) => v.assign(saved[i]!));
    tf.dispose(saved);
  }
}

/** Runs the method's asynchronous preparation, if it has one (outside any gradient scope). */
export async function prepareStep(learner: Learner, batch: Batch, teachers: TeacherContext, epoch: number): Promise<unknown> {
  const { prepare } = learner.method;
  if (!prepare) return undefined;
  return prepare({
    x: batch.x,
    labels: batch.labels,
    params: learner.params,
    epoch,
    teacherNets: teachers.nets,
    teachers: teachers.outputs,
    studentForward: () => forwardKeepingStatistics(learner.net, batch.x),
  });
}

/** Forward, loss, backward and update on one batch; `losses` replaces the method's (an early stage's). */
export function trainStep(
  learner: Learner,
  batch: Batch,
  teachers: TeacherContext,
  epoch: number,
  lr: number,
  prepared: unknown,
  losses: (inputs: StepInputs<unknown, undefined>) => MethodStep = learner.method.losses,
): PackedStep {
  const context = distils(learner) ? teachers : NO_TEACHERS;
  let termNames: string[] = [];
  let diagnosticNames: string[] = [];
  let readouts: tf.Scalar[] = [];
  const { value, grads } = withTapeCleanup(() => tf.variableGrads(() => {
    const student = learner.net.apply(batch.x, { training: true });
    const { terms, diagnostics = {} } = losses({
      x: batch.x,
      labels: batch.labels,
      params: learner.params,
      epoch,
      teacherNets: context.nets,
      teachers: context.outputs,
      student,
      modules: learner.modules,
      prepared: prepared as undefined,
    });
    termNames = Object.keys(terms);
    diagnosticNames = Object.keys(diagnostics);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(student.logits, 1), batch.labels), 'float32'));
    // Kept past the gradient scope so they can be read after the update.
    readouts = [correct, ...Object.values(terms), ...Object.values(diagnostics)].map((t) => tf.keep(t as tf.Scalar));
    return tf.addN(Object.values(terms)) as tf.Scalar;
  }, learner.optimizer.variables as tf.Variable[]), () => readouts);
  learner.optimizer.apply(grads, lr);
  const packed = tf.stack([value, ...readouts]) as tf.Tensor1D;
  tf.dispose([value, ...readouts, ...Object.values(grads)]);
  return { packed, termNames, diagnosticNames };
}

/**
 * Runs a gradient computation; when it throws (a method's or the person's loss failing mid-step), frees what
 * tfjs leaves behind: the tensors its tape saved for the backward pass (it frees them only after one) and
 * readouts already kept. Else a loss that fails would hold one step's activations until the page closes.
 */
function withTapeCleanup<T>(compute: () => T, kept: () => readonly tf.Tensor[]): T {
  try {
    return compute();
  } catch (error) {
    const { state } = tf.engine();
    if (state.gradientDepth === 0 && state.activeTape) {
      for (const node of state.activeTape) tf.dispose(node.saved ?? []);
      state.activeTape = [];
    }
    tf.dispose([...kept()]);
    throw error;
  }
}

/**
 * One step of each learner on its batch, as the run's loop takes it: every method's preparation first (they
 * read the weights before any update), then the updates; the teachers' outputs are disposed once all have
 * used them. `earlyLosses` (an early stage's) replaces the methods' losses and skips their preparation.
 * The run, the estimate's timing and the parity check all step through here, so they time and check the same.
 */
export async function stepLearners(
  learners: readonly Learner[],
  batchOf: (learner: Learner) => Batch,
  teachers: TeacherContext,
  at: { readonly epoch: number; readonly lr: number },
  earlyLosses?: (inputs: StepInputs<unknown, undefined>) => MethodStep,
): Promise<StepReadout[]> {
  let steps: PackedStep[];
  try {
    const prepared = earlyLosses ? learners.map(() => undefined) : await Promise.all(learners.map((l) => prepareStep(l, batchOf(l), teachers, at.epoch)));
    steps = learners.map((l, i) => trainStep(l, batchOf(l), teachers, at.epoch, at.lr, prepared[i], earlyLosses));
  } finally {
    disposeOutputs(teachers.outputs);
  }
  const values = await Promise.all(steps.map((s) => s.packed.data()));
  steps.forEach((s) => s.packed.dispose());
  return steps.map((s, i) => unpackReadout(values[i]!, s));
}

export function unpackReadout(values: ArrayLike<number>, step: Pick<PackedStep, 'termNames' | 'diagnosticNames'>): StepReadout {
  const offset = 2 + step.termNames.length;
  return {
    loss: values[0]!,
    correct: values[1]!,
    terms: Object.fromEntries(step.termNames.map((name, i) => [name, values[i + 2]!])),
    diagnostics: Object.fromEntries(step.diagnosticNames.map((name, i) => [name, values[offset + i]!])),
  };
}

/**
 * The teachers as the distilling learner's method wants them for this batch: outputs computed once, outside
 * any gradient, on x or on the method's replacement input (the oracle's x*). No distiller, no teachers.
 */
export function teacherContext(distiller: Learner | undefined, nets: readonly Network[], batch: Batch): TeacherContext {
  if (!distiller) return NO_TEACHERS;
  const replace = distiller.method.teacherInput;
  const input = replace && ((teacher: Network) => replace(batch.x, batch.labels, teacher, distiller.params));
  return { nets, outputs: teacherOutputs(nets, batch.x, input) };
}

/** Frozen teachers' outputs on a batch, in eval mode, outside any gradient scope; `input` may replace x per teacher. */
export function teacherOutputs(teachers: readonly Network[], x: tf.Tensor4D, input?: (teacher: Network) => tf.Tensor4D): ModelOutput[] {
  return teachers.map((teacher) => {
    const [logits, stem, penultimate, ...stages] = tf.tidy(() => outputTensors(teacher.apply(input ? input(teacher) : x, { training: false })));
    return { logits: logits as tf.Tensor2D, features: { stem: stem as tf.Tensor4D, stages: stages as tf.Tensor4D[], penultimate: penultimate as tf.Tensor2D } };
  });
}

/** Every tensor of an output, in a fixed order (logits, stem, penultimate, stages...). */
function outputTensors(output: ModelOutput): tf.Tensor[] {
  if (output.features === LOGITS_ONLY_FEATURES) return [output.logits];
  return [output.logits, output.features.stem, output.features.penultimate, ...output.features.stages];
}

export function disposeOutputs(outputs: readonly ModelOutput[]): void {
  for (const output of outputs) tf.dispose(outputTensors(output));
}

/** What a data-free method's generator works with at one step; its noise and views are keyed to the run's seed, epoch and step. */
export function synthesisInputs(distiller: Learner, teacherNets: readonly Network[], train: BatchSource, batchSize: number, seed: number, epoch: number, step: number): SynthesisInputs<unknown> {
  return {
    modules: distiller.modules,
    params: distiller.params,
    teacherNets,
    student: distiller.net,
    batchSize,
    normalize: (images01) => train.normalize(images01),
    rng: keyedRng(seed, 'synthesize', epoch, step),
    epoch,
    step,
  };
}
