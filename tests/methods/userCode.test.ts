import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import { kdLoss } from '../../src/methods/losses';
import { USER_LOSS_TEMPLATE, UserCodeError, checkUserLossSyntax } from '../../src/methods/userCode';
import { buildNetwork } from '../../src/models/zoo';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { failOnTensorLeaks } from '../helpers/leaks';

/** The custom method's loss terms for `code`, on fixed logits. */
function customTerms(code: string) {
  const teacher = buildNetwork('tiny-cnn', { numClasses: 3, name: 't', seed: 2 });
  try {
    const learner = createLearner({ key: 'student', role: 'student', label: 'custom', model: 'tiny-cnn', method: 'custom', initSeed: 1 }, { ...DEFAULT_CONFIG, method: 'custom', userLoss: code, methodParams: { T: 3, alpha: 1, ceWeight: 0 } }, 3, [teacher]);
    try {
      return tf.tidy(() => {
        const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
        const student = learner.net.apply(x, { training: false });
        const teacherOut = teacher.apply(x, { training: false });
        const labels = tf.tensor1d([0, 1, 2, 0], 'int32');
        const { terms } = learner.method.losses({ x, labels, params: learner.params, epoch: 0, teacherNets: [teacher], teachers: [teacherOut], student, modules: learner.modules, prepared: undefined });
        return { yours: terms.yours!.dataSync()[0]!, expected: kdLoss(student.logits, teacherOut.logits, 3).dataSync()[0]! };
      });
    } finally {
      disposeLearner(learner);
    }
  } finally {
    teacher.dispose();
  }
}

describe('the custom method', () => {
  failOnTensorLeaks();

  it('runs the template, which is Hinton KD', () => {
    const { yours, expected } = customTerms(USER_LOSS_TEMPLATE);
    expect(yours).toBeCloseTo(expected, 5);
  });

  it('reports a syntax error at its line, before anything runs', () => {
    expect(() => checkUserLossSyntax('const a = 1;\nconst b = ;\nreturn a;')).toThrow(/line 2: Unexpected token/);
    expect(() => customTerms('const a = 1;\n\nreturn tf.mean(a +);')).toThrow(/Your loss, line 3/);
  });

  it('reports a runtime error at the line where it happens', () => {
    let caught: unknown;
    try {
      customTerms('const p = tf.softmax(student);\nconst q = teacher.notAFunction();\nreturn tf.mean(p);');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserCodeError);
    expect((caught as UserCodeError).line).toBe(2);
    expect((caught as Error).message).toMatch(/^Your loss, line 2: .*notAFunction/);
  });

  it('refuses a result that is not a scalar tensor, saying what it got', () => {
    expect(() => customTerms('return tf.sub(student, teacher);')).toThrow(/scalar tensor.*shape \[4, 3\]/);
    expect(() => customTerms('return 1;')).toThrow(/scalar tensor.*number/);
  });
});
