import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { defineMethod, param } from './method';
import { kdPerTeacher, stackLogits, teacherWeightDiagnostics, weightedMean } from './multiTeacherLosses';
import { ebkdWeights } from './multiTeacherWeights';
import { ceTerm } from './terms';

/** EBKD: per-sample KL weighted by w = 1 − H/ΣH of each teacher's prediction (label-free, constants). */
export const ebkd = defineMethod({
  spec: METHOD_CATALOG.ebkd,
  losses({ student, teachers, labels, params }) {
    const weights = ebkdWeights(stackLogits(teachers));
    const kl = kdPerTeacher(student.logits, teachers, param(params, 'T'));
    return {
      terms: {
        ce: ceTerm({ student, labels, params }),
        kd: tf.mul(weightedMean(weights, kl), param(params, 'alpha')),
      },
      diagnostics: teacherWeightDiagnostics(weights, 'weight teacher'),
    };
  },
});
