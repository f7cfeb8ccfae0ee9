import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from './catalog';
import { crossEntropy, kdLoss } from './losses';
import { defineMethod, param } from './method';

/** Hinton KD as RepDistiller: ceWeight * CE + alpha * T^2 * KL_batchmean(teacher || student). */
export const kd = defineMethod({
  spec: METHOD_CATALOG.kd,
  losses({ student, teachers, labels, params }) {
    const [teacher] = teachers;
    if (!teacher) throw new Error('KD needs a teacher');
    return {
      terms: {
        ce: tf.mul(crossEntropy(student.logits, labels), param(params, 'ceWeight')),
        kd: tf.mul(kdLoss(student.logits, teacher.logits, param(params, 'T')), param(params, 'alpha')),
      },
    };
  },
});
