import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from './catalog';
import { crossEntropy } from './losses';
import { defineMethod, param } from './method';
import { kdPerTeacher, stackLogits, teacherWeightDiagnostics, weightedMean } from './multiTeacherLosses';
import { ebkdWeights } from './multiTeacherWeights';

/** EBKD: per-sample KL weighted by w = 1 − H/ΣH of each teacher's prediction (label-free, constants). */
export const ebkd = defineMethod({
  spec: METHOD_CATALOG.ebkd,
  losses({ student, teachers, labels, params }) {
    const weights = ebkdWeights(stackLogits(teachers));
    const kl = kdPerTeacher(student.logits, teachers, param(params, 'T'));
    return {
      terms: {
        ce: tf.mul(crossEntropy(student.logits, labels), param(params, 'ceWeight')),
        kd: tf.mul(weightedMean(weights, kl), param(params, 'alpha')),
      },
      diagnostics: teacherWeightDiagnostics(weights, 'weight teacher'),
    };
  },
});
