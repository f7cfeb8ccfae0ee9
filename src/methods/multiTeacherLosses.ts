/** Loss pieces shared by the multi-teacher methods (CA-MKD repo conventions, methods.md §2). */
import * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../models/network';
import { kdLoss, kdLossPerSample } from './losses';

/** Teacher logits stacked as [M, B, C]. */
export function stackLogits(teachers: readonly ModelOutput[]): tf.Tensor3D {
  return tf.stack(teachers.map((t) => t.logits)) as tf.Tensor3D;
}

/** Per-sample KD (T^2 included) against each teacher, [M, B]. */
export function kdPerTeacher(student: tf.Tensor2D, teachers: readonly ModelOutput[], temperature: number): tf.Tensor2D {
  return tf.stack(teachers.map((t) => kdLossPerSample(student, t.logits, temperature))) as tf.Tensor2D;
}

/** Σ_{m,b} w_{m,b} · loss_{m,b} / (B · M): the CA-MKD/EBKD reduction (the extra 1/M is the reference's). */
export function weightedMean(weights: tf.Tensor2D, losses: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.mul(weights, losses));
}

/** AVER-MKD: (1/M) Σ_m L_KD(z_s, z_t^m), batchmean with T^2. */
export function averageKd(student: tf.Tensor2D, teachers: readonly ModelOutput[], temperature: number): tf.Scalar {
  return tf.div(tf.addN(teachers.map((t) => kdLoss(student, t.logits, temperature))), teachers.length);
}

/** One diagnostic per teacher: its mean weight over the batch. */
export function teacherWeightDiagnostics(weights: tf.Tensor2D, prefix: string): Record<string, tf.Scalar> {
  const means = tf.unstack(tf.mean(weights, 1));
  return Object.fromEntries(means.map((w, m) => [`${prefix}${m + 1}`, w as tf.Scalar]));
}
