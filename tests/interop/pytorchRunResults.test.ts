/**
 * What the PyTorch package brings back (docs/pytorch-run-format.md), written here by hand as the
 * package writes it: the run bundle imports unchanged, and a `models/<key>.safetensors` with
 * `format: "distillery-torch"` metadata imports with the model, class count, name and normalisation it
 * names, every tensor still checked; metadata that breaks its promise is refused by field.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, FIELDS } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import type { ModelJson } from '../../src/contract/modelFile';
import { torchStateDictOf } from '../../src/interop/pytorch/export';
import { writeSafetensors } from '../../src/interop/pytorch/safetensorsWriter';
import { encodeNetwork } from '../../src/models/networkWeights';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { buildNetwork } from '../../src/models/zoo';
import { parseRunBundle } from '../../src/storage/page/runBundle';

const NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

async function zooFiles(model: 'resnet8' | 'tiny-cnn', numClasses = 10): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  const net = buildNetwork(model, { numClasses, name: `results-${model}`, seed: 9 });
  try {
    let seed = 0;
    for (const [name, variable] of net.params.named) {
      if (/running(Mean|Variance)$/.test(name)) variable.assign(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', ++seed));
    }
    return await encodeNetwork(net, { name: model, dataset: 'x', classNames: [], testAccuracy: null, trainedWith: '', savedAt: 0 });
  } finally {
    net.dispose();
  }
}

/** A package-written safetensors: F32 tensors, I64 counters, the contract's metadata. */
function packageFile(files: { json: ModelJson; weights: ArrayBuffer }, metadata: Record<string, string>): Uint8Array {
  return writeSafetensors(torchStateDictOf(files.json, files.weights), metadata);
}

const promised = (extra: Record<string, string> = {}) => ({ format: 'distillery-torch', model: 'resnet8', numClasses: '10', inputNormalization: JSON.stringify(NORMALIZATION), name: 'KD student (PyTorch)', dataset: 'cifar10-subset', classNames: '["a", "b"]', testAccuracy: '0.25', ...extra });

describe('models/<key>.safetensors from the PyTorch package', () => {
  it('imports with the model, classes, name and normalisation its metadata names, bit-exact', async () => {
    const files = await zooFiles('resnet8');
    const imported = importTorchCheckpoint(packageFile(files, promised({ inputNormalization: '{"mean":[0.5,0.4,0.3],"std":[0.2,0.25,0.3]}' })), { fileName: 'student.safetensors' });
    expect(imported.model).toBe('resnet8');
    expect(imported.numClasses).toBe(10);
    expect(imported.normalizationFromFile).toBe(true);
    expect(imported.json.userDefinedMetadata.inputNormalization).toEqual({ mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] });
    expect(imported.json.userDefinedMetadata.name).toBe('KD student (PyTorch)');
    expect(imported.json.userDefinedMetadata.testAccuracy).toBe(0.25);
    expect(imported.json.userDefinedMetadata.dataset).toBe('cifar10-subset');
    expect(imported.json.userDefinedMetadata.classNames).toEqual(['a', 'b']);
    expect(imported.json.userDefinedMetadata.imageSide).toBeUndefined();
    expect(importTorchCheckpoint(packageFile(files, promised({ imageSide: '64' }))).json.userDefinedMetadata.imageSide).toBe(64);
    expect(imported.json.userDefinedMetadata.trainedWith).toBe('Trained by Distillery on PyTorch (distillery_torch)');
    expect(imported.json.weightsManifest[0].weights).toEqual(files.json.weightsManifest[0].weights);
    expect(Buffer.from(imported.weights).equals(Buffer.from(files.weights))).toBe(true);
  });

  it('lets the person\u2019s own normalisation win over the file\u2019s, and keeps the default for a file without metadata', async () => {
    const files = await zooFiles('tiny-cnn');
    const mine = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
    const overridden = importTorchCheckpoint(packageFile(files, promised({ model: 'tiny-cnn' })), { inputNormalization: mine });
    expect(overridden.json.userDefinedMetadata.inputNormalization).toEqual(mine);
    expect(overridden.normalizationFromFile).toBe(false);
    const bare = importTorchCheckpoint(packageFile(files, {}));
    expect(bare.normalizationFromFile).toBe(false);
    expect(bare.model).toBe('tiny-cnn');
    expect(bare.json.userDefinedMetadata.testAccuracy).toBeNull();
    const sloppy = importTorchCheckpoint(packageFile(files, promised({ model: 'tiny-cnn', testAccuracy: '1.5', classNames: '{', dataset: '../x', imageSide: '48' })));
    expect(sloppy.json.userDefinedMetadata).toMatchObject({ testAccuracy: null, classNames: [], dataset: 'unknown' });
    expect(sloppy.json.userDefinedMetadata.imageSide).toBeUndefined();
  });

  it('refuses metadata that breaks its promise, naming the field', async () => {
    const files = await zooFiles('resnet8');
    const cases: [Record<string, string>, RegExp][] = [
      [{ model: 'resnet9000' }, /its model is "resnet9000": it should be the id of a model of the zoo/],
      [{ numClasses: 'ten' }, /its numClasses is "ten": it should be a whole number of classes from 2/],
      [{ inputNormalization: '{"mean":[0.5,0.5],"std":[1,1,1]}' }, /its inputNormalization is .*: it should be JSON/],
      [{ inputNormalization: '{"mean":[0,0,0],"std":[1,0,1]}' }, /inputNormalization .*positive std/],
    ];
    for (const [extra, message] of cases) expect(() => importTorchCheckpoint(packageFile(files, promised(extra)))).toThrow(message);
    const { model: _model, ...noModel } = promised();
    expect(() => importTorchCheckpoint(packageFile(files, noModel))).toThrow(/its model is missing/);
  });

  it('refuses a file whose tensors are not the model or class count its metadata names', async () => {
    const files = await zooFiles('resnet8');
    expect(() => importTorchCheckpoint(packageFile(files, promised({ model: 'resnet20' })))).toThrow(/metadata says it holds a ResNet-20, but its tensors do not fit one: ResNet-20 \(resnet20\) has/);
    expect(() => importTorchCheckpoint(packageFile(files, promised({ numClasses: '100' })))).toThrow("This file's metadata says 100 classes, but its classifier has 10 outputs.");
  });

  it('takes a wrong model hint from another writer only as a hint', async () => {
    const files = await zooFiles('resnet8');
    expect(importTorchCheckpoint(packageFile(files, { format: 'pt', model: 'resnet20', numClasses: '10' })).model).toBe('resnet8');
  });
});

describe('<stem>.distillery-run.json from the PyTorch package', () => {
  const config: RunConfig = { ...DEFAULT_CONFIG, teacher: 'resnet20', student: 'resnet8', method: 'kd', epochs: 2, teacherEpochs: 2, subset: 256, testSubset: 128, seed: 3, methodParams: defaultMethodParams('kd') };
  const learners = [
    { key: 'teacher0', role: 'teacher', label: 'Teacher (ResNet-20)', model: 'resnet20', method: 'scratch' },
    { key: 'scratch', role: 'scratch', label: 'Scratch student (ResNet-8)', model: 'resnet8', method: 'scratch' },
    { key: 'student', role: 'student', label: 'KD student (ResNet-8)', model: 'resnet8', method: 'kd' },
  ];
  const epochs = learners.flatMap((l) => [1, 2].map((epoch) => ({
    learner: l.key, epoch, lr: 0.05, trainLoss: 2.1, terms: l.role === 'student' ? { ce: 2.0, kd: 0.4 } : { ce: 2.1 }, diagnostics: {},
    trainAccuracy: 0.2, testAccuracy: 0.25 + epoch / 100, testNll: 2.0, ece: 0.04, seconds: 1.5,
  })));
  const results = learners.map((l) => ({ key: l.key, label: l.label, role: l.role, bestAccuracy: 0.27, bestEpoch: 2, lastAccuracy: 0.27, ece: 0.04, nll: 2.0, epochs: 2, reused: false }));
  // As Python's json.dump writes it: the run's config copied from run.json unchanged.
  const bundle = {
    format: 'distillery-run-bundle', version: 1, exportedAt: '2026-12-02T18:30:00Z',
    run: { name: 'kd resnet20\u2192resnet8 (PyTorch, 2 processes)', config, finishedAt: 1796236200000, seconds: 12.5, backend: 'pytorch 1.13.0 cpu, gloo, 2 processes', adapter: null, stopped: false, learners, epochs, results },
  };

  it('imports unchanged, with no notes', () => {
    const { run, notes } = parseRunBundle(JSON.stringify(bundle), { newId: () => 'id-1', now: 5, fileName: 'kd.distillery-run.json' });
    expect(notes).toEqual([]);
    expect(run.name).toBe('kd resnet20\u2192resnet8 (PyTorch, 2 processes)');
    expect(run.config).toEqual(config);
    for (const field of FIELDS) expect(run.config[field.key], field.key).toEqual(config[field.key]);
    expect(run.epochs).toEqual(epochs);
    expect(run.results).toEqual(results);
    expect(run.backend).toBe('pytorch 1.13.0 cpu, gloo, 2 processes');
    expect(run.importedFrom).toEqual({ fileName: 'kd.distillery-run.json', at: 5 });
  });

  it('names what is wrong in a bundle that breaks the format', () => {
    const parse = (run: object) => () => parseRunBundle(JSON.stringify({ ...bundle, run: { ...bundle.run, ...run } }), { newId: () => 'x', now: 0 });
    expect(parse({ config: { ...config, methodParams: undefined } })).toThrow('run.config.methodParams should be an object, but it is missing');
    expect(parse({ config: { ...config, method: 'torch-only' } })).toThrow(/method "torch-only", which this version of Distillery does not have/);
    expect(parse({ epochs: [{ ...epochs[0], testAccuracy: 'NaN' }] })).toThrow('run.epochs[0].testAccuracy should be a finite number');
  });
});
