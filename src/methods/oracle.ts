import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from './catalog';
import { kd } from './kd';
import { defineMethod, param } from './method';
import { oracleInput } from './relevance';

/**
 * Explainable-oracle KD (reference-exact): the frozen teacher sees x* = x − γ·(∂CE/∂x)·|x| with the true
 * labels and mean-reduced CE (so the step carries 1/B, as in the reference); the student only sees x.
 * The loss is Hinton KD's, on the teacher's answers to x*.
 */
export const oracle = defineMethod({
  spec: METHOD_CATALOG.oracle,
  teacherInput: (x, labels, teacher, params) =>
    oracleInput((input: tf.Tensor4D) => teacher.apply(input, { training: false }).logits, x, labels, param(params, 'gamma'), param(params, 'steps')),
  losses: kd.losses,
});
