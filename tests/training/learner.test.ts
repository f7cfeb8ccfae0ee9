/**
 * One step of the run's loop (stepLearners), which the run, the estimate's timing and the parity check share:
 * the readouts in learner order, and nothing left behind when a method's loss fails mid-step.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchSource } from '../../src/data/batches';
import { METHODS } from '../../src/methods';
import { stepLearners, teacherContext } from '../../src/training/learner';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data = tinyRunData();
const input = { numClasses: data.numClasses, imageSide: data.train.side };

/** A teacher, the scratch baseline and a KD student on one batch of the synthetic images. */
function setUp() {
  const config = tinyRunConfig({ method: 'kd' });
  const teacher = createLearner({ key: 'teacher0', role: 'teacher', label: 'T', model: 'tiny-cnn', method: 'scratch', initSeed: 1 }, config, input);
  const scratch = createLearner({ key: 'scratch', role: 'scratch', label: 'S', model: 'tiny-cnn', method: 'scratch', initSeed: 2 }, config, input);
  const student = createLearner({ key: 'student', role: 'student', label: 'KD', model: 'tiny-cnn', method: 'kd', initSeed: 2 }, config, input, [teacher.net]);
  const source = new BatchSource(data.train, data.normalization);
  const batch = source.trainBatch(Int32Array.from({ length: 16 }, (_, i) => i), null);
  const tearDown = () => {
    tf.dispose([batch.x, batch.labels]);
    source.dispose();
    [teacher, scratch, student].forEach(disposeLearner);
  };
  return { teacher, scratch, student, batch, tearDown };
}

describe('stepLearners', () => {
  afterEach(() => vi.restoreAllMocks());

  it('steps every learner on the batch and reads each one back, in order', async () => {
    const { teacher, scratch, student, batch, tearDown } = setUp();
    try {
      const before = tf.memory().numTensors;
      const readouts = await stepLearners([scratch, student], () => batch, teacherContext(student, [teacher.net], batch), { epoch: 0, lr: 0.1 });
      expect(readouts.map((r) => Object.keys(r.terms))).toEqual([['ce'], ['ce', 'kd']]);
      for (const r of readouts) expect(r.correct).toBeGreaterThanOrEqual(0);
      // The teachers' outputs went with the step (the optimizers' slots and BatchNorm statistics are updated in place).
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tearDown();
    }
  });

  it('frees the step when a method’s loss throws (the teachers’ outputs, the forward pass) and rejects with its error', async () => {
    const { teacher, scratch, student, batch, tearDown } = setUp();
    try {
      const before = tf.memory().numTensors;
      vi.spyOn(METHODS.kd, 'losses').mockImplementation(() => {
        throw new Error('the loss failed');
      });
      const context = teacherContext(student, [teacher.net], batch);
      await expect(stepLearners([student], () => batch, context, { epoch: 0, lr: 0.1 })).rejects.toThrow('the loss failed');
      expect(context.outputs[0]!.logits.isDisposed).toBe(true);
      // Nor is anything of the failed step's forward pass left (tfjs keeps its tape's saved tensors otherwise).
      expect(tf.memory().numTensors).toBe(before);
      // And the next step goes as usual.
      vi.restoreAllMocks();
      const [readout] = await stepLearners([student], () => batch, teacherContext(student, [teacher.net], batch), { epoch: 0, lr: 0.1 });
      expect(Number.isFinite(readout!.loss)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tearDown();
    }
  });
});
