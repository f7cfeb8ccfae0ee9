import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { kd } from './kd';
import { lrpOracleInput } from './lrp/index';
import { defineMethod, param } from './method';
import { LRP_DEFAULTS, oracleInput, type LrpRule } from './relevance';

/** The oracle's `rule` parameter, by index of RELEVANCE_RULES: null is the reference's gradient × input. */
export function relevanceRule(index: number): LrpRule | null {
  switch (index) {
    case 1:
      return { name: 'epsilon', epsilon: LRP_DEFAULTS.epsilon };
    case 2:
      return { name: 'gamma', gamma: LRP_DEFAULTS.gamma, epsilon: LRP_DEFAULTS.epsilon };
    case 3:
      return { name: 'zplus' };
    default:
      return null;
  }
}

/**
 * Explainable-oracle KD: the frozen teacher sees relevance-reinforced inputs x*; the student only sees x.
 * Reference-exact by default: x* = x − γ·(∂CE/∂x)·|x| with the true labels and mean-reduced CE (so the step
 * carries 1/B, as in the reference). The LRP rules replace that relevance by the true class's layer-wise
 * relevance, with the same 1/B scale. The loss is Hinton KD's, on the teacher's answers to x*.
 *
 * x* lives in the dataset-normalised space the student's batches are in, whatever constants the teacher
 * was trained with: a teacher with its own (models/inputNormalization.ts) re-normalises x* inside its
 * `apply`, so its answers are f(x*_own) with x*_own = x*·(s_data/s_own) + (m_data − m_own)/s_own. The
 * gradient reaches x through that affine (∂CE/∂x_data = (s_data/s_own)·∂CE/∂x_own) and |x|, sign(x) are
 * taken on the dataset's x; LRP's relevance is the teacher's on its own inputs (lrp/families.ts).
 */
export const oracle = defineMethod({
  spec: METHOD_CATALOG.oracle,
  teacherInput(x, labels, teacher, params) {
    const gamma = param(params, 'gamma');
    const steps = param(params, 'steps');
    const rule = relevanceRule(param(params, 'rule'));
    if (rule) return lrpOracleInput(teacher, x, labels, rule, gamma, steps);
    return oracleInput((input: tf.Tensor4D) => teacher.apply(input, { training: false }).logits, x, labels, gamma, steps);
  },
  losses: kd.losses,
});
