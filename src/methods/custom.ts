import * as tf from '@tensorflow/tfjs';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { defineMethod, param } from './method';
import type { FeatureTaps } from '../models/network';
import { USER_LOSS_INDEX_GUARD, USER_LOSS_SCOPE, UserCodeError, checkUserLoss, userLineOf } from '../contract/userCode';
import { USER_LOSS_MATH_MEMBERS, USER_LOSS_TF_FUNCTIONS } from '../contract/userLossPolicy';
import { sumTensors } from './losses';
import { ceTerm } from './terms';

type UserLoss = (...scope: unknown[]) => unknown;

/** Only the allowed members of `source`, in a frozen object: what the loss gets instead of tf and Math. */
function allowedMembers(source: object, names: readonly string[]): Readonly<Record<string, unknown>> {
  return Object.freeze(Object.fromEntries(names.map((name) => [name, (source as Record<string, unknown>)[name]])));
}

// addN is the pairwise sum: tf's own returns zeros on WebGPU past 8 inputs.
const LOSS_TF = allowedMembers({ ...tf, addN: (tensors: tf.Tensor[]) => sumTensors(tensors) }, USER_LOSS_TF_FUNCTIONS);
const LOSS_MATH = allowedMembers(Math, USER_LOSS_MATH_MEMBERS);

/** What every `a[i]` in the loss goes through: a number passes, anything else (a property name) throws. */
function indexGuard(index: unknown): number {
  if (typeof index !== 'number') throw new TypeError(`an index must be a number, got ${typeof index}`);
  return index;
}

/** Names a strict-mode parameter cannot take, and globals the loss may keep. */
const UNSHADOWABLE = new Set(['eval', 'arguments', 'undefined', 'NaN', 'Infinity', ...USER_LOSS_SCOPE, USER_LOSS_INDEX_GUARD]);

/**
 * Every global name of this worker, as parameters that are undefined inside the loss. The static check
 * already refuses any global; this is the second wall, in case a reference ever slips past it.
 */
function shadowedGlobals(): string[] {
  const names = new Set<string>();
  for (let o: object | null = globalThis; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const name of Object.getOwnPropertyNames(o)) if (/^[A-Za-z_$][\w$]*$/.test(name) && !UNSHADOWABLE.has(name)) names.add(name);
  }
  return [...names];
}

/** Compiles the user's loss once per run, after the check; what it refuses names its line. */
function compile(code: string): UserLoss {
  const body = checkUserLoss(code);
  let loss: UserLoss;
  try {
    loss = new Function(...USER_LOSS_SCOPE, USER_LOSS_INDEX_GUARD, ...shadowedGlobals(), body) as UserLoss;
  } catch (error) {
    throw new UserCodeError(error instanceof Error ? error.message : String(error), null);
  }
  return (...scope) => loss(...scope, indexGuard);
}

/**
 * Runs the loss with a deep stack trace: V8 keeps 10 frames by default, and an error thrown inside a tf op
 * (a shape mismatch) is that deep before it reaches the loss's own frame, whose line the message names.
 */
function withDeepStack<T>(run: () => T): T {
  const traced = Error as { stackTraceLimit?: number };
  const limit = traced.stackTraceLimit;
  traced.stackTraceLimit = 200;
  try {
    return run();
  } finally {
    traced.stackTraceLimit = limit;
  }
}

/** A frozen view of a model's feature taps: the loss can read them, not replace them. */
function frozenTaps(taps: FeatureTaps): FeatureTaps {
  return Object.freeze({ stem: taps.stem, stages: Object.freeze([...taps.stages]), penultimate: taps.penultimate });
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
      value = withDeepStack(() => userLoss(LOSS_TF, student.logits, teacher.logits, labels, param(params, 'T'), Object.freeze({ ...params }), frozenTaps(student.features), frozenTaps(teacher.features), LOSS_MATH));
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
