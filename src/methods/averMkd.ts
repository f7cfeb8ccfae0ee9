import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { defineMethod, param } from './method';
import { averageKd } from './multiTeacherLosses';
import { ceTerm } from './terms';

/** AVER-MKD: ceWeight·CE + alpha·(1/M)·Σ_m KD(z_s, z_t^m). */
export const averMkd = defineMethod({
  spec: METHOD_CATALOG['aver-mkd'],
  losses: ({ student, teachers, labels, params }) => ({
    terms: {
      ce: ceTerm({ student, labels, params }),
      kd: tf.mul(averageKd(student.logits, teachers, param(params, 'T')), param(params, 'alpha')),
    },
  }),
});
