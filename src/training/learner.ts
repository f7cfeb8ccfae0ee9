/**
 * A learner is one model being trained in a run (a teacher, the scratch baseline or the distilled
 * student) with its optimizer and method. `trainStep` is the whole per-batch update.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batches';
import type { DistillationMethod } from '../methods/method';
import type { ModelOutput, Network } from '../models/network';
import type { LearnerInfo } from '../workers/protocol';
import { Sgd } from './sgd';

export interface Learner {
  readonly info: LearnerInfo;
  readonly net: Network;
  readonly method: DistillationMethod;
  readonly params: Readonly<Record<string, number>>;
  readonly optimizer: Sgd;
}

/** One step's numbers, read back asynchronously: total loss, each term and correct predictions. */
export interface StepReadout {
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly correct: number;
}

/**
 * Forward, loss, backward and update on one batch. Returns a single packed tensor [loss, correct, ...terms]
 * so the caller reads every number back with one asynchronous `data()` call.
 */
export function trainStep(
  learner: Learner,
  batch: Batch,
  teachers: readonly ModelOutput[],
  epoch: number,
  lr: number,
): { packed: tf.Tensor1D; termNames: string[] } {
  let termNames: string[] = [];
  let readouts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const student = learner.net.apply(batch.x, { training: true });
    const terms = learner.method.losses({ x: batch.x, labels: batch.labels, student, teachers, params: learner.params, epoch });
    termNames = Object.keys(terms);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(student.logits, 1), batch.labels), 'float32'));
    // Kept past the gradient scope so they can be read after the update.
    readouts = [correct, ...Object.values(terms)].map((t) => tf.keep(t as tf.Scalar));
    return tf.addN(Object.values(terms)) as tf.Scalar;
  }, learner.optimizer.variables as tf.Variable[]);
  learner.optimizer.apply(grads, lr);
  const packed = tf.stack([value, ...readouts]) as tf.Tensor1D;
  tf.dispose([value, ...readouts, ...Object.values(grads)]);
  return { packed, termNames };
}

export function unpackReadout(values: Float32Array | Int32Array | Uint8Array, termNames: readonly string[]): StepReadout {
  return {
    loss: values[0]!,
    correct: values[1]!,
    terms: Object.fromEntries(termNames.map((name, i) => [name, values[i + 2]!])),
  };
}

/** Frozen teachers' outputs on a batch, in eval mode, outside any gradient scope. */
export function teacherOutputs(teachers: readonly Network[], x: tf.Tensor4D): ModelOutput[] {
  return teachers.map((teacher) => {
    const [logits, stem, penultimate, ...stages] = tf.tidy(() => outputTensors(teacher.apply(x, { training: false })));
    return { logits: logits as tf.Tensor2D, features: { stem: stem as tf.Tensor4D, stages: stages as tf.Tensor4D[], penultimate: penultimate as tf.Tensor2D } };
  });
}

/** Every tensor of an output, in a fixed order (logits, stem, penultimate, stages...). */
function outputTensors(output: ModelOutput): tf.Tensor[] {
  return [output.logits, output.features.stem, output.features.penultimate, ...output.features.stages];
}

export function disposeOutputs(outputs: readonly ModelOutput[]): void {
  for (const output of outputs) tf.dispose(outputTensors(output));
}
