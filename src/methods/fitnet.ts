import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { createHint, hintLoss, type Hint } from './hint';
import { defineMethod, param } from './method';
import { ceTerm, kdTerm } from './terms';

/** FitNets as RepDistiller: ceWeight·CE + alpha·KD + beta·MSE(ConvReg(f_s), f_t), regressor trained jointly. */
export const fitnet = defineMethod({
  spec: METHOD_CATALOG.fitnet,
  createModules: ({ store, student, teachers }): Hint => {
    const [teacher] = teachers;
    if (!teacher) throw new Error('FitNets needs a teacher');
    return createHint(store, 'regressor', student, teacher);
  },
  losses({ student, teachers, labels, params, modules }) {
    const [teacher] = teachers;
    if (!teacher) throw new Error('FitNets needs a teacher');
    const terms: Record<string, tf.Scalar> = {
      ce: ceTerm({ student, labels, params }),
      hint: tf.mul(hintLoss(modules, student, teacher), param(params, 'beta')),
    };
    const alpha = param(params, 'alpha');
    if (alpha > 0) terms.kd = kdTerm({ student, params }, teacher);
    return { terms };
  },
});
