/** Trained networks as tfjs-format files: round trip, and every file that does not fit is refused by name. */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MODEL_FILE_FORMAT, ModelFileError, checkWeightsFile, modelFileStem, modelImageSide, parseModelJson, type ModelJson, type ModelMetadata } from '../../src/contract/modelFile';
import { deleteModel, listModels, loadModel, newModelId, saveModel, savedModelRecord } from '../../src/storage/modelStore';
import { encodeNetwork, restoreNetwork } from '../../src/models/networkWeights';
import { buildNetwork } from '../../src/models/zoo';
import { failOnTensorLeaks } from '../helpers/leaks';

const METADATA: ModelMetadata = { name: 'Teacher (ResNet-8) · seed 3', dataset: 'cifar10-subset', classNames: ['a', 'b', 'c', 'd'], testAccuracy: 0.5, trainedWith: 'cross-entropy', savedAt: 1 };

async function encoded(model: 'tiny-cnn' | 'resnet8' = 'resnet8', numClasses = 4) {
  const net = buildNetwork(model, { numClasses, name: `source-${model}`, seed: 11 });
  // Running statistics away from their initial 0/1, so the round trip must carry them.
  tf.tidy(() => net.params.statistics.forEach((v, i) => v.assign(tf.randomUniform(v.shape, 0.5, 1.5, 'float32', i))));
  try {
    return { ...(await encodeNetwork(net, METADATA)), logits: logitsOf(net) };
  } finally {
    net.dispose();
  }
}

const input = () => tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
function logitsOf(net: ReturnType<typeof buildNetwork>): Float32Array {
  const logits = tf.tidy(() => net.apply(input(), { training: false }).logits);
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

const reparse = (json: unknown, numClasses = 4) => parseModelJson(JSON.stringify(json), { numClasses });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('model files', () => {
  failOnTensorLeaks();

  it('a network written and read back computes the same logits, BatchNorm statistics included', async () => {
    const { json, weights, logits } = await encoded();
    expect(json.format).toBe(MODEL_FILE_FORMAT);
    expect(json.weightsManifest[0].paths).toEqual(['teacher-resnet-8-seed-3.weights.bin']);
    expect(json.weightsManifest[0].weights.some((w) => w.name.includes('running'))).toBe(true);
    const parsed = reparse(json);
    const restored = restoreNetwork(parsed, weights, 'restored');
    try {
      expect(Array.from(logitsOf(restored))).toEqual(Array.from(logits));
      expect(restored.id).toBe('resnet8');
    } finally {
      restored.dispose();
    }
  });

  it('refuses files that are not ours, or of another class count, before any tensor is made', async () => {
    const { json } = await encoded();
    expect(refusal(() => parseModelJson('{"format":', { numClasses: 4 }))).toMatch(/not JSON/);
    expect(refusal(() => reparse([1, 2]))).toMatch(/JSON object/);
    expect(refusal(() => reparse({ format: 'layers-model', modelTopology: {} }))).toMatch(/TensorFlow.js layers-model model, not a Distillery network/);
    expect(refusal(() => reparse({ format: 'distillery-run-bundle' }))).toMatch(/not a Distillery model .*"distillery-run-bundle"/);
    expect(refusal(() => reparse({ ...json, modelTopology: { model: 'resnet9000', numClasses: 4 } }))).toMatch(/"resnet9000"/);
    expect(refusal(() => reparse(json, 100))).toMatch(/predicts 4 classes, but the dataset in use has 100/);
    expect(refusal(() => reparse({ ...json, weightsManifest: [] }))).toMatch(/weights manifest/);
    const badSpec = { ...json, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'x', shape: [2, -1], dtype: 'float32' }] }] };
    expect(refusal(() => reparse(badSpec))).toMatch(/not a named float32 tensor/);
    const twice = { ...json, weightsManifest: [{ paths: ['w.bin'], weights: [json.weightsManifest[0].weights[0], json.weightsManifest[0].weights[0]] }] };
    expect(refusal(() => reparse(twice))).toMatch(/twice/);
  });

  it('refuses weights of another size, architecture or shape, naming the weight', async () => {
    const { json, weights } = await encoded();
    expect(refusal(() => checkWeightsFile(json, weights.byteLength - 4, 'cut.weights.bin'))).toMatch(/cut.weights.bin has \d+ bytes, but model.json describes \d+/);
    // A tiny CNN's weights in a resnet8's file: names do not match.
    const tiny = await encoded('tiny-cnn');
    const swapped: ModelJson = { ...tiny.json, modelTopology: { model: 'resnet8', numClasses: 4 } };
    expect(refusal(() => restoreNetwork(swapped, tiny.weights, 'swapped'))).toMatch(/a weight ".*" that a ResNet-8 does not have/);
    // Same names, one shape changed (the classifier for 5 classes), bytes adjusted to match.
    const specs = json.weightsManifest[0].weights;
    const last = specs[specs.length - 1]!;
    const reshaped: ModelJson = { ...json, weightsManifest: [{ paths: ['w.bin'], weights: [...specs.slice(0, -1), { ...last, shape: [last.shape[0]! + 1] }] }] };
    expect(refusal(() => restoreNetwork(reshaped, new ArrayBuffer(weights.byteLength + 4), 'reshaped'))).toMatch(/has shape \[5\] in the file, but a ResNet-8 for 4 classes needs \[4\]/);
    // A weight missing.
    const fewer: ModelJson = { ...json, weightsManifest: [{ paths: ['w.bin'], weights: specs.slice(0, -1) }] };
    expect(refusal(() => restoreNetwork(fewer, weights.slice(0, weights.byteLength - 16), 'fewer'))).toMatch(/lacks 1 weight a ResNet-8 needs/);
    // Not finite.
    const poisoned = weights.slice(0);
    new Float32Array(poisoned)[3] = Number.NaN;
    expect(refusal(() => restoreNetwork(json, poisoned, 'poisoned'))).toMatch(/not finite/);
  });

  it('keeps the side of the images a model was trained on; absent is 32, a side no import makes is refused', async () => {
    const { json } = await encoded();
    const withSide = (imageSide: unknown) => ({ ...json, userDefinedMetadata: { ...json.userDefinedMetadata, imageSide } });
    expect(modelImageSide(reparse(json).userDefinedMetadata)).toBe(32);
    expect(reparse(withSide(64)).userDefinedMetadata.imageSide).toBe(64);
    expect(modelImageSide(reparse(withSide(64)).userDefinedMetadata)).toBe(64);
    for (const bad of [48, '64', null, 0]) expect(refusal(() => reparse(withSide(bad)))).toMatch(/trained on images of side .*32 or 64 pixels/);
  });

  it('file stems are safe names', () => {
    expect(modelFileStem('KD student (tiny CNN) · seed 1')).toBe('kd-student-tiny-cnn-seed-1');
    expect(modelFileStem('***')).toBe('model');
  });
});

describe('the model store', () => {
  it('keeps records across openings, lists them newest first without weights, deletes', async () => {
    const database = `models-${Math.random()}`;
    const { json, weights } = await encoded('tiny-cnn');
    const older = savedModelRecord(newModelId(), { ...json, userDefinedMetadata: { ...json.userDefinedMetadata, savedAt: 1 } }, weights);
    const newer = savedModelRecord(newModelId(), { ...json, userDefinedMetadata: { ...json.userDefinedMetadata, name: 'newer', savedAt: 2 } }, weights);
    expect(older.id).toMatch(/^m-[0-9a-f]{16}$/);
    await saveModel(older, database);
    await saveModel(newer, database);
    const list = await listModels(database);
    expect(list.map((m) => m.name)).toEqual(['newer', METADATA.name]);
    expect(list[0]).not.toHaveProperty('weights');
    expect(list[0]).toMatchObject({ model: 'tiny-cnn', numClasses: 4, bytes: weights.byteLength });
    const loaded = await loadModel(older.id, database);
    expect(new Float32Array(loaded!.weights)).toEqual(new Float32Array(weights));
    await deleteModel(older.id, database);
    expect((await listModels(database)).map((m) => m.id)).toEqual([newer.id]);
    expect(await loadModel('m-0000000000000000', database)).toBeUndefined();
  });
});
