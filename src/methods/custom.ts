import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from './catalog';
import { defineMethod, param } from './method';
import { USER_LOSS_SCOPE, UserCodeError, checkUserLossSyntax, userLineOf, userLossBody } from './userCode';
import { ceTerm } from './terms';

type UserLoss = (...scope: unknown[]) => unknown;

/** Compiles the user's loss once per run; syntax errors name their line. */
function compile(code: string): UserLoss {
  checkUserLossSyntax(code);
  try {
    return new Function(...USER_LOSS_SCOPE, userLossBody(code)) as UserLoss;
  } catch (error) {
    throw new UserCodeError(error instanceof Error ? error.message : String(error), null);
  }
}

/** Your own method: ceWeight·CE + alpha·(the scalar your code returns), run in the worker like any other. */
export const custom = defineMethod({
  spec: METHOD_CATALOG.custom,
  createModules: ({ userCode }): UserLoss => compile(userCode),
  losses({ student, teachers, labels, params, modules: userLoss }) {
    const [teacher] = teachers;
    if (!teacher) throw new Error('The custom method needs a teacher');
    let value: unknown;
    try {
      value = userLoss(tf, student.logits, teacher.logits, labels, param(params, 'T'), params, student.features, teacher.features);
    } catch (error) {
      throw new UserCodeError(error instanceof Error ? error.message : String(error), userLineOf(error));
    }
    if (!(value instanceof tf.Tensor) || value.rank !== 0) {
      const got = value instanceof tf.Tensor ? `a tensor of shape [${value.shape.join(', ')}]` : typeof value;
      throw new UserCodeError(`must return a scalar tensor (e.g. tf.mean(...)), but returned ${got}`, null);
    }
    return {
      terms: {
        ce: ceTerm({ student, labels, params }),
        yours: tf.mul(value as tf.Scalar, param(params, 'alpha')),
      },
    };
  },
});
