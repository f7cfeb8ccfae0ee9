import { describe, expect, it } from 'vitest';
import { USER_LOSS_TEMPLATE, UserCodeError, checkUserLoss } from '../../src/contract/userCode';
import { ESCAPES } from '../helpers/lossEscapes';

/** The refusal `checkUserLoss` throws for `code` (fails the test if it accepts the code). */
function refusal(code: string): UserCodeError {
  try {
    checkUserLoss(code);
  } catch (error) {
    expect(error).toBeInstanceOf(UserCodeError);
    return error as UserCodeError;
  }
  throw new Error(`accepted: ${code}`);
}


describe('the user loss policy', () => {
  for (const escape of ESCAPES) {
    it(`refuses ${escape.name}, naming it and its line`, () => {
      const error = refusal(escape.code);
      expect(error.message).toMatch(escape.refused);
      expect(error.message).toMatch(/^Your loss, line \d+: /);
    });
  }

  it('accepts what a loss needs: the template, helpers, loops, destructuring, Math, tensor methods, feature taps', () => {
    expect(() => checkUserLoss(USER_LOSS_TEMPLATE)).not.toThrow();
    const code = [
      'const { stages, penultimate } = studentFeatures;',
      'const [first] = teacherFeatures.stages;',
      'const kl = (p, q) => tf.sum(tf.mul(tf.exp(p), tf.sub(p, q)), 1);',
      'function hint(a, b = 1) { return tf.mean(tf.squaredDifference(a, b)); }',
      'let total = tf.scalar(0);',
      'for (let i = 0; i < stages.length; i++) { total = tf.add(total, tf.mean(stages[i])); }',
      'for (const s of teacherFeatures.stages) { if (s.rank !== 4) throw new Error("x"); }',
    ].join('\n');
    // `new Error` is refused too: the test confirms the rest parses and only that line is named.
    expect(refusal(code).message).toMatch(/line 7: `new` is not allowed/);
    const accepted = code.replace('throw new Error("x")', 'total = tf.add(total, 1)') +
      '\nconst scale = Math.sqrt(params.T) * T * T;\nconst t = student.sub(teacher).square().mean();\n' +
      'try { hint(first, first); } catch (e) { const m = e.message; }\nreturn tf.add(tf.mul(tf.mean(kl(tf.logSoftmax(teacher), tf.logSoftmax(student))), scale), t);';
    expect(() => checkUserLoss(accepted)).not.toThrow();
  });

  it('resolves names by scope: a name declared in an inner block or function does not reach outer code', () => {
    expect(refusal('function f() { const self = 1; return self; }\nreturn self;').message).toMatch(/line 2: `self` is not available/);
    expect(() => checkUserLoss('const self = 1;\nfunction f() { return self; }\nreturn tf.scalar(f());')).not.toThrow();
    expect(refusal('for (let i = 0; i < 2; i++) {}\nreturn tf.scalar(i);').message).toMatch(/line 2: `i` is not available/);
    expect(refusal('try { 1; } catch (caches) { }\nreturn caches;').message).toMatch(/line 2: `caches` is not available/);
  });
});
