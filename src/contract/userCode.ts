/**
 * The custom method's loss, written by the user in the page: its template, what is in scope, and the
 * check both sides run (tf-free, so the page can check as the user types): the syntax, then the policy of
 * what a loss may reach (`userLossCheck.ts`). Errors name the line in the user's own numbering.
 */
import { parse } from 'acorn';
import { RESERVED_PREFIX, UserLossRefusal, checkUserLossPolicy, type IndexRange } from './userLossCheck';

/** Names in scope of the user's code, in the order the worker passes them. */
export const USER_LOSS_SCOPE = ['tf', 'student', 'teacher', 'labels', 'T', 'params', 'studentFeatures', 'teacherFeatures', 'Math'] as const;

export const USER_LOSS_TEMPLATE = `// Return the distillation term as a scalar tensor; the loop adds ceWeight * CE and
// multiplies your term by alpha. In scope: tf, student and teacher (logits [B, C]),
// labels (int32 [B]), T, params, studentFeatures and teacherFeatures (stem, stages,
// penultimate), Math. Only tf's maths is reachable: no network, storage or globals.
// This is Hinton KD: T^2 * KL(teacher || student), batch mean.
const logPs = tf.logSoftmax(tf.div(student, T));
const logPt = tf.logSoftmax(tf.div(teacher, T));
const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
return tf.mul(tf.mean(kl), T * T);
`;

/** Longest code accepted (it travels in the URL). */
export const USER_LOSS_MAX_LENGTH = 4000;

/** Lines the Function constructor and our strict-mode prologue put before the user's first line. */
export const USER_LOSS_LINE_OFFSET = 3;

/** The compiled code's guard on computed indexes: a parameter beside the scope, called on each `a[i]`'s `i`. */
export const USER_LOSS_INDEX_GUARD = `${RESERVED_PREFIX}Index`;

/** The function body the worker compiles: strict mode, then the user's lines with each index guarded (same lines). */
function userLossBody(code: string, indexes: readonly IndexRange[]): string {
  const inserts = indexes.flatMap(({ start, end }) => [
    { at: end, text: ')' },
    { at: start, text: `${USER_LOSS_INDEX_GUARD}(` },
  ]);
  inserts.sort((a, b) => b.at - a.at);
  let guarded = code;
  for (const { at, text } of inserts) guarded = guarded.slice(0, at) + text + guarded.slice(at);
  return `"use strict";\n${guarded}`;
}

export class UserCodeError extends Error {
  override readonly name = 'UserCodeError';

  constructor(
    message: string,
    /** 1-based line in the user's code, when known. */
    readonly line: number | null,
  ) {
    super(line === null ? `Your loss: ${message}` : `Your loss, line ${line}: ${message}`);
  }
}

/**
 * Throws a UserCodeError at the offending line if the code does not parse (as a function body) or reaches
 * for anything outside the policy (a global, a property off the allow-list, `this`, `new`…). Returns the
 * function body to compile (the worker's only way to get one).
 */
export function checkUserLoss(code: string): string {
  if (code.length > USER_LOSS_MAX_LENGTH) throw new UserCodeError(`longer than ${USER_LOSS_MAX_LENGTH} characters`, null);
  let program;
  try {
    program = parse(code, { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true, locations: true });
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    const message = error instanceof Error ? error.message.replace(/\s*\(\d+:\d+\)$/, '') : String(error);
    throw new UserCodeError(message, loc?.line ?? null);
  }
  try {
    return userLossBody(code, checkUserLossPolicy(program, USER_LOSS_SCOPE));
  } catch (error) {
    if (error instanceof UserLossRefusal) throw new UserCodeError(error.message, error.line);
    throw error;
  }
}

/** The user's line of a runtime error thrown inside code compiled from `userLossBody` (V8 stack format). */
export function userLineOf(error: unknown): number | null {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const match = stack.match(/<anonymous>:(\d+):\d+\)/);
  return match ? Number(match[1]) - USER_LOSS_LINE_OFFSET : null;
}
