/** Weighted loss terms several methods share, so every method names and weighs them alike. */
import * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../models/network';
import { crossEntropy, kdLoss } from './losses';
import { param } from './method';

interface TermInputs {
  readonly student: ModelOutput;
  readonly labels: tf.Tensor1D;
  readonly params: Readonly<Record<string, number>>;
}

/** ceWeight · CE(student, labels). */
export function ceTerm({ student, labels, params }: TermInputs): tf.Scalar {
  return tf.mul(crossEntropy(student.logits, labels), param(params, 'ceWeight'));
}

/** alpha · T² · KL_batchmean(teacher ‖ student). */
export function kdTerm({ student, params }: Omit<TermInputs, 'labels'>, teacher: ModelOutput): tf.Scalar {
  return tf.mul(kdLoss(student.logits, teacher.logits, param(params, 'T')), param(params, 'alpha'));
}
