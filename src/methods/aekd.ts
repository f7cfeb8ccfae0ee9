import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { kdLoss } from './losses';
import { defineMethod, param } from './method';
import { stackLogits } from './multiTeacherLosses';
import { aekdWeights } from './multiTeacherWeights';
import { ceTerm } from './terms';

/**
 * AEKD: L_div = Σ_m λ_m·KD_m with λ the capped-simplex QP solution on the Gram matrix of the teachers' KD
 * gradients (closed form T(p_s − p_t^m)/B), solved on the CPU every batch before the gradient step.
 */
export const aekd = defineMethod({
  spec: METHOD_CATALOG.aekd,
  async prepare({ teachers, params, studentForward }): Promise<number[]> {
    const [student, stacked] = tf.tidy(() => [studentForward().logits, stackLogits(teachers)] as const);
    try {
      return await aekdWeights(student, stacked, param(params, 'T'), param(params, 'cTol'));
    } finally {
      tf.dispose([student, stacked]);
    }
  },
  losses({ student, teachers, labels, params, prepared: lambda }) {
    const temperature = param(params, 'T');
    const weighted = teachers.map((t, m) => tf.mul(kdLoss(student.logits, t.logits, temperature), lambda[m] ?? 0));
    return {
      terms: {
        ce: ceTerm({ student, labels, params }),
        kd: tf.mul(tf.addN(weighted), param(params, 'alpha')),
      },
      diagnostics: Object.fromEntries(lambda.map((l, m) => [`weight teacher${m + 1}`, tf.scalar(l)])),
    };
  },
});
