import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import { kdLoss } from '../../src/methods/losses';
import { USER_LOSS_TEMPLATE, UserCodeError, checkUserLoss } from '../../src/contract/userCode';
import { RUNTIME_ESCAPES } from '../helpers/lossEscapes';
import { buildNetwork } from '../../src/models/zoo';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { disposeOutputs, teacherOutputs, trainStep, type Learner } from '../../src/training/learner';
import { failOnTensorLeaks } from '../helpers/leaks';

/** The custom method's loss terms for `code`, on fixed logits. */
function customTerms(code: string) {
  const teacher = buildNetwork('tiny-cnn', { numClasses: 3, name: 't', seed: 2 });
  try {
    const learner = createLearner({ key: 'student', role: 'student', label: 'custom', model: 'tiny-cnn', method: 'custom', initSeed: 1 }, { ...DEFAULT_CONFIG, method: 'custom', userLoss: code, methodParams: { T: 3, alpha: 1, ceWeight: 0 } }, { numClasses: 3, imageSide: 32 }, [teacher]);
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
    expect(() => checkUserLoss('const a = 1;\nconst b = ;\nreturn a;')).toThrow(/line 2: Unexpected token/);
    expect(() => customTerms('const a = 1;\n\nreturn tf.mean(a +);')).toThrow(/Your loss, line 3/);
  });

  it('reports a runtime error at the line where it happens', () => {
    let caught: unknown;
    try {
      customTerms('const p = tf.softmax(student);\nconst q = tf.matMul(student, teacher);\nreturn tf.mean(p);');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserCodeError);
    expect((caught as UserCodeError).line).toBe(2);
    expect((caught as Error).message).toMatch(/^Your loss, line 2: .*inner shapes/);
  });

  it('refuses a result that is not a scalar tensor, saying what it got', () => {
    expect(() => customTerms('return tf.sub(student, teacher);')).toThrow(/scalar tensor.*shape \[4, 3\]/);
    expect(() => customTerms('return 1;')).toThrow(/scalar tensor.*number/);
  });

  for (const escape of RUNTIME_ESCAPES) {
    it(`refuses ${escape.name} when it runs, at its line`, () => {
      expect(() => customTerms(escape.code)).toThrow(escape.refused);
    });
  }

  it('hands the loss nothing but the allowed maths: every global is undefined inside it', () => {
    // Passes the static check only because it names no global: it reads its own frozen inputs.
    const code = 'const names = [tf.setBackend, tf.disposeVariables, tf.engine, Math.random, params.constructor];\nreturn tf.scalar(names.filter((f) => f !== undefined).length);';
    expect(() => checkUserLoss(code)).toThrow(/`\.setBackend` is not available/);
    const { yours } = customTerms('let n = 0;\nfor (const f of [tf.mean, tf.sum, Math.sqrt]) { if (f !== undefined) n++; }\nreturn tf.scalar(n);');
    expect(yours).toBe(3);
  });

  it('reproduces the kd method’s step with the template: loss, gradients and weights after the update within 1e-6', () => {
    const params = { T: 4, alpha: 0.9, ceWeight: 0.1 };
    const teacher = buildNetwork('tiny-cnn', { numClasses: 3, name: 'kd-teacher', seed: 2 });
    const make = (method: 'kd' | 'custom') =>
      createLearner({ key: method, role: 'student', label: method, model: 'tiny-cnn', method, initSeed: 11 }, { ...DEFAULT_CONFIG, method, userLoss: USER_LOSS_TEMPLATE, methodParams: params }, { numClasses: 3, imageSide: 32 }, [teacher], `${method}-`);
    const [kd, yours] = [make('kd'), make('custom')];
    const x = tf.randomNormal([8, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32');
    const teachers = { nets: [teacher], outputs: teacherOutputs([teacher], x) };
    const gradients = (learner: Learner) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const student = learner.net.apply(x, { training: false });
          const { terms } = learner.method.losses({ x, labels, params: learner.params, epoch: 0, teacherNets: [teacher], teachers: teachers.outputs, student, modules: learner.modules, prepared: undefined });
          return tf.addN(Object.values(terms)) as tf.Scalar;
        }, learner.net.params.trainable as tf.Variable[]);
        return Object.values(grads).map((g) => Array.from(g.dataSync()));
      });
    const weights = (learner: Learner) => learner.net.params.trainable.map((v) => Array.from(v.dataSync()));
    const maxGap = (a: number[][], b: number[][]) => Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - b[i]![j]!)))));
    try {
      expect(maxGap(gradients(kd), gradients(yours))).toBeLessThan(1e-6);
      const loss = (learner: Learner) => {
        const { packed } = trainStep(learner, { x, labels }, teachers, 0, 0.05, undefined);
        const value = packed.dataSync()[0]!;
        packed.dispose();
        return value;
      };
      expect(Math.abs(loss(kd) - loss(yours))).toBeLessThan(1e-6);
      expect(maxGap(weights(kd), weights(yours))).toBeLessThan(1e-6);
      const fresh = make('kd');
      expect(maxGap(weights(kd), weights(fresh))).toBeGreaterThan(1e-4); // the step did move the weights
      disposeLearner(fresh);
    } finally {
      for (const learner of [kd, yours]) disposeLearner(learner);
      tf.dispose([x, labels]);
      disposeOutputs(teachers.outputs);
      teacher.dispose();
    }
  });
});
