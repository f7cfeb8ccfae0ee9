/**
 * A saved teacher trained with other input constants than the dataset's (an imported PyTorch checkpoint)
 * gets inputs normalised with its own constants everywhere it runs: RepDistiller's resnet20 from
 * ../shared/parity, kept with parity.json's `normalize`, on a dataset whose mean and std differ, must give
 * the logits PyTorch gave on images normalised with its own constants — through the saved-teacher loader,
 * the run's evaluation of a saved teacher, LRP, the oracle's input gradient and export.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputNormalization } from '../../src/contract/modelFile';
import { BatchSource } from '../../src/data/batches';
import type { LabeledImages } from '../../src/data/cifarBinary';
import { lrpLogits, lrpRelevance } from '../../src/methods/lrp/index';
import { isRenormalized } from '../../src/models/inputNormalization';
import type { Network } from '../../src/models/network';
import { restoreNetwork } from '../../src/models/networkWeights';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { newModelId, saveModel, savedModelRecord } from '../../src/storage/modelStore';
import { loadSavedTeacher } from '../../src/storage/worker/savedTeacher';
import { evaluate } from '../../src/training/evaluate';
import { inspect } from '../../src/training/inspect';
import { ModelShelf } from '../../src/training/modelShelf';
import { planRun } from '../../src/training/plan';
import { runExperiment, type RunEvents, type RunServices } from '../../src/training/run';
import type { RunCheckpoint } from '../../src/storage/checkpointStore';
import { RunControl } from '../../src/training/runControl';
import { measureStepCosts } from '../../src/training/stepCosts';
import { flat, imageBatch } from '../../src/training/parity/assets';
import { syntheticImages, tinyRunConfig } from '../helpers/synthetic';
import { loadParitySource } from '../helpers/torchParity';

const source = loadParitySource();
const own: InputNormalization = source.normalize;
/** A dataset normalisation far from the teacher's, so a teacher fed it unconverted answers differently. */
const dataset: InputNormalization = { mean: [0.3, 0.6, 0.45], std: [0.35, 0.2, 0.3] };
const database = `input-normalization-${Math.random()}`;
const TOLERANCE = 1e-4;

/** parity.json's test images (uint8 NCHW) as the project's NHWC image set. */
function parityTestSet(): LabeledImages {
  const nchw = flat(source.testImages);
  const count = source.testLabels.length;
  const images = new Uint8Array(count * 3072);
  for (let n = 0; n < count; n++) for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) images[n * 3072 + p * 3 + c] = nchw[n * 3072 + c * 1024 + p]!;
  return { images, side: 32, labels: Uint8Array.from(source.testLabels), count };
}

function worstDifference(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

const resnet20 = source.models.find((m) => m.file === 'resnet20.pth')!;
const expectedLogits = flat(resnet20.logits);
const imported = importTorchCheckpoint(source.readFile('resnet20.pth'), { name: 'RepDistiller resnet20', inputNormalization: own });
const planned = { key: 'teacher0', model: 'resnet20' } as Parameters<typeof loadSavedTeacher>[1];

describe('a saved teacher with its own input normalisation', { timeout: 300_000 }, () => {
  let id = '';
  let teacher: Network;
  let test: BatchSource;
  beforeAll(async () => {
    id = newModelId();
    await saveModel(savedModelRecord(id, imported.json, imported.weights), database);
    teacher = await loadSavedTeacher(id, planned, { numClasses: 10, normalization: dataset }, database);
    test = new BatchSource(parityTestSet(), dataset);
  });
  afterAll(() => {
    teacher.dispose();
    test.dispose();
  });

  it('answers dataset-normalised batches as PyTorch answered images normalised with its own constants', async () => {
    expect(isRenormalized(teacher)).toBe(true);
    const { logits } = await evaluate(teacher, test, 8, 'teacher');
    expect(worstDifference(logits, expectedLogits)).toBeLessThanOrEqual(TOLERANCE);
    // The same network fed the dataset's normalisation unconverted is far off: the test can fail.
    const bare = restoreNetwork(imported.json, imported.weights, 'bare-resnet20');
    const unconverted = await evaluate(bare, test, 8, 'bare');
    bare.dispose();
    expect(worstDifference(unconverted.logits, expectedLogits)).toBeGreaterThan(0.01);
  });

  it('is unwrapped when the dataset has its constants', async () => {
    const same = await loadSavedTeacher(id, planned, { numClasses: 10, normalization: own }, database);
    expect(isRenormalized(same)).toBe(false);
    same.dispose();
  });

  it('LRP walks it on its own inputs; the input gradient goes through the re-normalisation', () => {
    const x = test.evalBatch(0, 8);
    const onOwn = imageBatch(source.testImages, source.normalize);
    const inner = isRenormalized(teacher) ? teacher.inner : teacher;
    const [walked, relevance, relevanceOwn, grad, gradOwn] = tf.tidy(() => {
      const targets = tf.tensor1d(source.testLabels, 'int32');
      const sumOfTrueLogits = (net: Network) => (input: tf.Tensor) => tf.sum(tf.mul(net.apply(input as tf.Tensor4D, { training: false }).logits, tf.oneHot(targets, 10)));
      return [
        lrpLogits(teacher, x.x),
        lrpRelevance(teacher, x.x, targets, { name: 'epsilon', epsilon: 1e-6 }),
        lrpRelevance(inner, onOwn, targets, { name: 'epsilon', epsilon: 1e-6 }),
        tf.grad(sumOfTrueLogits(teacher))(x.x),
        // d/dx_data = (s_data / s_own) · d/dx_own, per channel.
        tf.mul(tf.grad(sumOfTrueLogits(inner))(onOwn), tf.tensor1d(own.std.map((s, c) => dataset.std[c]! / s))),
      ];
    });
    expect(worstDifference(walked.dataSync(), expectedLogits)).toBeLessThanOrEqual(TOLERANCE);
    expect(worstDifference(relevance.dataSync(), relevanceOwn.dataSync())).toBeLessThanOrEqual(TOLERANCE);
    expect(worstDifference(grad.dataSync(), gradOwn.dataSync())).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([walked, relevance, relevanceOwn, grad, gradOwn, onOwn, x.x, x.labels]);
  });
});

describe('a run with an imported teacher on a dataset with other constants', { timeout: 600_000 }, () => {
  const shelf = new ModelShelf();
  afterAll(() => shelf.clear());
  const quiet: RunEvents = { started() {}, progress() {}, epoch() {}, learnerDone() {} };

  it("reports the teacher's PyTorch logits, keeps them on the shelf, exports the teacher's own constants, and resumes with them", async () => {
    const id = newModelId();
    await saveModel(savedModelRecord(id, imported.json, imported.weights), database);
    const data = { train: syntheticImages(20, 3, 10), test: parityTestSet(), normalization: dataset, numClasses: 10 };
    const config = tinyRunConfig({ method: 'kd', teacher: 'resnet20', student: 'tiny-cnn', savedTeacher: id, epochs: 2, subset: 20, testSubset: 8, batch: 8 });
    expect(planRun(config, { trainCount: 20, testCount: 8 }).testImages).toBe(8);
    const checkpoints: RunCheckpoint[] = [];
    const services = (resume?: RunCheckpoint): RunServices => ({
      measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, data.numClasses),
      shelf,
      loadSavedTeacher: (savedId, plannedTeacher, target) => loadSavedTeacher(savedId, plannedTeacher, target, database),
      checkpoints: { backend: 'cpu', save: async (c) => void checkpoints.push(c) },
      ...(resume ? { resume } : {}),
    });
    const outcome = await runExperiment(config, data, new RunControl(), quiet, services());
    const teacher = outcome.results.find((r) => r.learner.role === 'teacher')!;
    expect(teacher.reused).toBe(true);
    expect(worstDifference(teacher.testLogits, expectedLogits)).toBeLessThanOrEqual(TOLERANCE);

    const metadata = { name: 'again', dataset: 'synthetic', classNames: [], testAccuracy: null, trainedWith: '', savedAt: 1 };
    const responses = await shelf.with((context) => inspect({ kind: 'responses', model: 'teacher0', gamma: 0, rule: 0 }, context));
    expect(worstDifference(responses.logits, expectedLogits)).toBeLessThanOrEqual(TOLERANCE);
    const teacherFile = await shelf.with((context) => inspect({ kind: 'encodeModel', model: 'teacher0', metadata }, context));
    expect(teacherFile.json.userDefinedMetadata.inputNormalization).toEqual(own);
    const student = outcome.results.find((r) => r.learner.role === 'student')!;
    const studentFile = await shelf.with((context) => inspect({ kind: 'encodeModel', model: student.learner.key, metadata }, context));
    expect(studentFile.json.userDefinedMetadata.inputNormalization).toEqual(dataset);

    // Resumed after the students' first epoch, the teacher comes from the checkpoint, still re-normalising:
    // the KD student ends where the run that never stopped ended.
    const afterEpoch = checkpoints.find((c) => c.phase === 'students')!;
    expect(afterEpoch.teacherNormalization).toEqual({ teacher0: own });
    const resumed = await runExperiment(config, data, new RunControl(), quiet, { ...services(afterEpoch), checkpoints: undefined });
    const resumedStudent = resumed.results.find((r) => r.learner.role === 'student')!;
    expect(worstDifference(resumedStudent.testLogits, student.testLogits)).toBeLessThanOrEqual(TOLERANCE);
  });
});
