import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { createHint, hintLoss, type Hint } from './hint';
import { detach } from './losses';
import { defineMethod, param } from './method';
import { averageKd } from './multiTeacherLosses';
import { ceTerm } from './terms';

/**
 * FitNet-MKD: AVER-MKD plus (beta/M)·Σ_m hint(reg_m(f_s), f_t^m), one regressor per teacher. With
 * `detachHint` = 1 the hint term is a constant, reproducing the CA-MKD repo (its regressors never train).
 */
export const fitnetMkd = defineMethod({
  spec: METHOD_CATALOG['fitnet-mkd'],
  createModules: ({ store, student, teachers }): Hint[] => teachers.map((teacher, m) => createHint(store, `regressor${m}`, student, teacher)),
  losses({ student, teachers, labels, params, modules }) {
    let hint: tf.Scalar = tf.div(tf.addN(teachers.map((t, m) => hintLoss(modules[m]!, student, t))), teachers.length);
    if (param(params, 'detachHint') === 1) hint = detach(hint);
    return {
      terms: {
        ce: ceTerm({ student, labels, params }),
        kd: tf.mul(averageKd(student.logits, teachers, param(params, 'T')), param(params, 'alpha')),
        hint: tf.mul(hint, param(params, 'beta')),
      },
    };
  },
});
