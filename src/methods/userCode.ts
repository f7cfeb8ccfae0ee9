/**
 * The custom method's loss, written by the user in the page: its template, what is in scope, and the
 * syntax check both sides run (tf-free, so the page can check as the user types). Errors name the line in
 * the user's own numbering.
 */
import { parse } from 'acorn';

/** Names in scope of the user's code, in the order the worker passes them. */
export const USER_LOSS_SCOPE = ['tf', 'student', 'teacher', 'labels', 'T', 'params', 'studentFeatures', 'teacherFeatures'] as const;

export const USER_LOSS_TEMPLATE = `// Return the distillation term as a scalar tensor; the loop adds ceWeight * CE and
// multiplies your term by alpha. In scope: tf, student and teacher (logits [B, C]),
// labels (int32 [B]), T, params, studentFeatures and teacherFeatures (stem, stages,
// penultimate). This is Hinton KD: T^2 * KL(teacher || student), batch mean.
const logPs = tf.logSoftmax(tf.div(student, T));
const logPt = tf.logSoftmax(tf.div(teacher, T));
const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
return tf.mul(tf.mean(kl), T * T);
`;

/** Longest code accepted (it travels in the URL). */
export const USER_LOSS_MAX_LENGTH = 4000;

/** Lines the Function constructor and our strict-mode prologue put before the user's first line. */
export const USER_LOSS_LINE_OFFSET = 3;

/** The function body the worker compiles: strict mode, then the user's lines unchanged. */
export function userLossBody(code: string): string {
  return `"use strict";\n${code}`;
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

/** Throws a UserCodeError at the offending line if the code does not parse (as a function body). */
export function checkUserLossSyntax(code: string): void {
  if (code.length > USER_LOSS_MAX_LENGTH) throw new UserCodeError(`longer than ${USER_LOSS_MAX_LENGTH} characters`, null);
  try {
    parse(code, { ecmaVersion: 2022, sourceType: 'script', allowReturnOutsideFunction: true });
  } catch (error) {
    const loc = (error as { loc?: { line: number } }).loc;
    const message = error instanceof Error ? error.message.replace(/\s*\(\d+:\d+\)$/, '') : String(error);
    throw new UserCodeError(message, loc?.line ?? null);
  }
}

/** The user's line of a runtime error thrown inside code compiled from `userLossBody` (V8 stack format). */
export function userLineOf(error: unknown): number | null {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const match = stack.match(/<anonymous>:(\d+):\d+\)/);
  return match ? Number(match[1]) - USER_LOSS_LINE_OFFSET : null;
}
