/**
 * The "Run it on PyTorch" export: the zip holds run.json (every field of the URL table, typed; the dataset;
 * the saved teachers), the teachers' safetensors (read back bit-exact by the project's own importer) and a
 * README; custom loss code is refused by name.
 */
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, FIELDS, parseUrl, serializeConfig } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { defaultMethodParams, METHOD_CATALOG, METHOD_IDS, type MethodId } from '../../src/contract/methodCatalog';
import type { ModelJson } from '../../src/contract/modelFile';
import type { DatasetManifest } from '../../src/contract/datasetManifest';
import { imageBytes } from '../../src/data/cifarBinary';
import { packDataset } from '../../src/data/packedDataset';
import { readSafetensors } from '../../src/interop/pytorch/safetensors';
import { encodeNetwork } from '../../src/models/networkWeights';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { buildNetwork } from '../../src/models/zoo';
import {
  PYTORCH_RUN_FORMAT, PYTORCH_RUN_VERSION, PytorchExportError, buildPytorchRun, exportedSavedTeachers, pytorchExportProblem, type PytorchRunDataset,
} from '../../src/storage/page/pytorchRun';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const DATASET: PytorchRunDataset = { id: 'cifar10-subset', format: 'cifar10-binary', classNames: CLASSES, normalization: { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] } };
const AT = Date.UTC(2026, 11, 2, 18, 0, 0);

function config(method: MethodId, extra: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_CONFIG, method, methodParams: defaultMethodParams(method), ...extra };
}

function unzip(bytes: Uint8Array): { files: Record<string, Uint8Array>; run: Record<string, unknown> } {
  const files = unzipSync(bytes);
  return { files, run: JSON.parse(strFromU8(files['run.json']!)) as Record<string, unknown> };
}

async function savedTeacher(model: 'tiny-cnn' | 'resnet8', numClasses = 10): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  const net = buildNetwork(model, { numClasses, name: 'saved', seed: 5 });
  try {
    const files = await encodeNetwork(net, { name: 'My teacher', dataset: 'cifar10-subset', classNames: CLASSES, testAccuracy: 0.61, trainedWith: 'cross-entropy', savedAt: 0, inputNormalization: { mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] } });
    new Float32Array(files.weights)[0] = 1e-40; // a subnormal, which a lossy path would flush
    return files;
  } finally {
    net.dispose();
  }
}

describe('buildPytorchRun', () => {
  it('writes run.json with every field of the URL table, typed, and the method parameters', () => {
    const cfg = config('kd', { teacher: 'resnet20', student: 'resnet8', epochs: 3, lr: 0.1, nesterov: true, methodParams: { ...defaultMethodParams('kd'), T: 2.5 } });
    const { fileName, bytes, runJson } = buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: {}, exportedAt: AT });
    expect(fileName).toBe('kd-resnet20-to-resnet8-seed-1.distillery-pytorch.zip');
    const { files, run } = unzip(bytes);
    expect(Object.keys(files).sort()).toEqual(['README.md', 'run.json']);
    expect(run).toEqual(JSON.parse(JSON.stringify(runJson)));
    expect(Object.keys(run).sort()).toEqual(['config', 'dataset', 'exportedAt', 'format', 'link', 'teachers', 'version']);
    expect(run.format).toBe(PYTORCH_RUN_FORMAT);
    expect(run.version).toBe(PYTORCH_RUN_VERSION);
    expect(run.exportedAt).toBe('2026-12-02T18:00:00.000Z');
    expect(run.teachers).toEqual([]);
    const exported = run.config as Record<string, unknown>;
    expect(Object.keys(exported).sort()).toEqual([...FIELDS.map((f) => f.key), 'methodParams'].sort());
    for (const field of FIELDS) {
      const value = exported[field.key];
      const wanted = { int: 'number', float: 'number', bool: 'boolean', choice: 'string', text: 'string', code: 'string' }[field.type.kind];
      expect(typeof value, field.key).toBe(wanted);
      expect(value, field.key).toEqual(cfg[field.key]);
      if (field.type.kind === 'int') expect(Number.isInteger(value), field.key).toBe(true);
    }
    expect(exported.methodParams).toEqual({ ...defaultMethodParams('kd'), T: 2.5 });
    expect(run.link).toBe(serializeConfig(cfg));
    expect(parseUrl(run.link as string).config).toEqual(cfg); // the link reproduces the config
    expect(run.dataset).toEqual({ id: 'cifar10-subset', kind: 'cifar10', numClasses: 10, classNames: CLASSES, normalization: { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] } });
    const readme = strFromU8(files['README.md']!);
    expect(readme).toContain(`python3 -m distillery_torch --config ${fileName} --data`);
    expect(readme).toContain('torchrun --nproc_per_node=4 -m distillery_torch');
    expect(readme).toContain('--nnodes=2 --node_rank=0');
    expect(readme).toContain('**Runs** panel, **Import bundle…**');
    expect(readme).toContain('**Saved models**');
  });

  it('fills a missing method parameter with its default and drops another method\u2019s', () => {
    const cfg = config('oracle', { methodParams: { gamma: 0.5, beta: 3 } });
    const { run } = unzip(buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: {}, exportedAt: AT }).bytes);
    expect((run.config as RunConfig).methodParams).toEqual({ ...defaultMethodParams('oracle'), gamma: 0.5 });
  });

  it('carries each saved teacher in its slot, the same model once per slot that names it, and none the method does not use', async () => {
    const a = await savedTeacher('resnet8');
    const b = await savedTeacher('resnet8');
    const three = { ...defaultMethodParams('camkd'), teachers: 3 };
    const cfg = config('camkd', { teacher: 'resnet8', savedTeacher: ',m-0123456789abcdef,m-fedcba9876543210', methodParams: three });
    const { files, run } = unzip(buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: { 'm-0123456789abcdef': a, 'm-fedcba9876543210': b }, exportedAt: AT }).bytes);
    expect((run.teachers as { slot: number; file: string }[]).map((t) => [t.slot, t.file])).toEqual([[1, 'teachers/teacher-1.safetensors'], [2, 'teachers/teacher-2.safetensors']]);
    expect(Object.keys(files).filter((f) => f.startsWith('teachers/')).sort()).toEqual(['teachers/teacher-1.safetensors', 'teachers/teacher-2.safetensors']);
    expect(exportedSavedTeachers({ ...cfg, savedTeacher: 'm-0123456789abcdef,m-0123456789abcdef,m-0123456789abcdef,m-fedcba9876543210' })).toEqual(['m-0123456789abcdef', 'm-0123456789abcdef', 'm-0123456789abcdef']);
    expect(exportedSavedTeachers({ ...cfg, method: 'scratch' })).toEqual([]);
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: { 'm-0123456789abcdef': a }, exportedAt: AT })).toThrow(/saved model m-fedcba9876543210, whose weights were not given/);
  });

  it('writes the saved teacher as safetensors that the project\u2019s importer reads back bit-exact', async () => {
    const teacher = await savedTeacher('resnet8');
    const cfg = config('kd', { teacher: 'resnet8', savedTeacher: 'm-0123456789abcdef' });
    const { files, run } = unzip(buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: { 'm-0123456789abcdef': teacher }, exportedAt: AT }).bytes);
    expect(run.teachers).toEqual([{ slot: 0, model: 'resnet8', numClasses: 10, name: 'My teacher', file: 'teachers/teacher-0.safetensors', inputNormalization: { mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] } }]);
    const bytes = files['teachers/teacher-0.safetensors']!;
    const tensors = readSafetensors(bytes);
    expect(tensors.get('conv1.weight')?.shape).toEqual([16, 3, 3, 3]); // RepDistiller's names, NCHW
    expect(tensors.get('bn1.num_batches_tracked')?.dtype).toBe('int64');
    const header = JSON.parse(strFromU8(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));
    expect(header.__metadata__).toEqual({ format: 'pt', model: 'resnet8', numClasses: '10', name: 'My teacher', inputNormalization: '{"mean":[0.5,0.5,0.5],"std":[0.2,0.2,0.2]}' });
    const back = importTorchCheckpoint(bytes);
    expect(back.model).toBe('resnet8');
    expect(back.json.weightsManifest[0].weights).toEqual(teacher.json.weightsManifest[0].weights);
    expect(Buffer.from(back.weights).equals(Buffer.from(teacher.weights))).toBe(true);
  });

  it('takes the dataset\u2019s normalisation for a saved teacher that carries none, and a CIFAR-100 dataset as cifar100', async () => {
    const teacher = await savedTeacher('tiny-cnn', 100);
    const { inputNormalization: _dropped, ...metadata } = teacher.json.userDefinedMetadata;
    const old = { json: { ...teacher.json, userDefinedMetadata: metadata }, weights: teacher.weights };
    const dataset: PytorchRunDataset = { id: 'imported-cifar100', format: 'cifar100-binary', classNames: Array.from({ length: 100 }, (_, i) => `c${i}`), normalization: { mean: [0.5, 0.4, 0.3], std: [0.3, 0.2, 0.1] } };
    const { run } = unzip(buildPytorchRun({ config: config('fitnet', { teacher: 'tiny-cnn', savedTeacher: 'm-0123456789abcdef', dataset: 'imported-cifar100' }), dataset, savedTeachers: { 'm-0123456789abcdef': old }, exportedAt: AT }).bytes);
    expect((run.dataset as { kind: string; numClasses: number }).kind).toBe('cifar100');
    expect((run.dataset as { numClasses: number }).numClasses).toBe(100);
    expect((run.teachers as { inputNormalization: unknown }[])[0]!.inputNormalization).toEqual({ mean: [0.5, 0.4, 0.3], std: [0.3, 0.2, 0.1] });
  });

  it('refuses custom loss code: code written in the page is not exportable', () => {
    const cfg = config('custom');
    expect(pytorchExportProblem(cfg)).toMatch(/code written in the page is not exportable/);
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: {}, exportedAt: AT })).toThrow(PytorchExportError);
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: {}, exportedAt: AT })).toThrow(/code written in the page is not exportable/);
  });

  it('exports every method but custom, the multi-teacher and data-free ones with their parameters', () => {
    for (const method of METHOD_IDS) expect(pytorchExportProblem({ method }), method).toEqual(method === 'custom' ? expect.stringMatching(/not exportable/) : null);
    const camkd = unzip(buildPytorchRun({ config: config('camkd', { methodParams: { ...defaultMethodParams('camkd'), teachers: 3 } }), dataset: DATASET, savedTeachers: {}, exportedAt: AT }).bytes).run;
    expect((camkd.config as { methodParams: { teachers: number } }).methodParams.teachers).toBe(3);
    const dataFree = unzip(buildPytorchRun({ config: config('ta-dfkd'), dataset: DATASET, savedTeachers: {}, exportedAt: AT }).bytes).run;
    expect((dataFree.config as { methodParams: Record<string, number> }).methodParams).toEqual(defaultMethodParams('ta-dfkd'));
  });

  it('refuses a saved teacher whose weights are missing, of another architecture or class count', async () => {
    const cfg = config('kd', { teacher: 'resnet8', savedTeacher: 'm-0123456789abcdef' });
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: {}, exportedAt: AT })).toThrow(/saved model m-0123456789abcdef, whose weights were not given/);
    const tiny = await savedTeacher('tiny-cnn');
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: { 'm-0123456789abcdef': tiny }, exportedAt: AT })).toThrow(/is a Tiny CNN, but the run's teacher is ResNet-8/);
    const hundred = await savedTeacher('resnet8', 100);
    expect(() => buildPytorchRun({ config: cfg, dataset: DATASET, savedTeachers: { 'm-0123456789abcdef': hundred }, exportedAt: AT })).toThrow(/predicts 100 classes, but the dataset "cifar10-subset" has 10/);
  });

  it('refuses settings the page would not run and a dataset whose classes do not fit its format', () => {
    expect(() => buildPytorchRun({ config: config('kd', { epochs: 0 }), dataset: DATASET, savedTeachers: {}, exportedAt: AT })).toThrow(/settings are not valid.*epochs/);
    expect(() => buildPytorchRun({ config: config('kd'), dataset: { ...DATASET, classNames: CLASSES.slice(0, 5) }, savedTeachers: {}, exportedAt: AT })).toThrow(/names 5 classes, but CIFAR-10 has 10/);
    expect(pytorchExportProblem(config('kd'))).toBeNull();
  });
});

describe('buildPytorchRun on your own images', () => {
  const PETS = ['cat', 'dog'];
  const OWN: PytorchRunDataset = { id: 'imported-images-pets', format: 'image-folder', classNames: PETS, normalization: { mean: [0.4, 0.5, 0.6], std: [0.2, 0.2, 0.3] } };
  /** The page's stored copy of a 2-class import: 6 train and 4 test pictures of `side` x `side`. */
  async function packed(classNames = PETS, side = 32): Promise<Uint8Array> {
    const set = (count: number) => ({ images: Uint8Array.from({ length: count * imageBytes(side) }, (_, i) => (i * 7) % 256), side, labels: Uint8Array.from({ length: count }, (_, i) => i % 2), count });
    const split = (count: number) => ({ count, shards: [] });
    const manifest: DatasetManifest = { name: OWN.id, title: 'pets', format: 'image-folder', classNames, train: split(6), test: split(4), mean: [0.4, 0.5, 0.6], std: [0.2, 0.2, 0.3], source: 'pets/', imageSide: side };
    return new Uint8Array(await packDataset({ manifest, train: set(6), test: set(4) }).arrayBuffer());
  }

  it('carries the decoded pictures bit for bit, with their classes and counts, and a README without --data', async () => {
    const images = await packed();
    const exported = buildPytorchRun({ config: config('kd', { dataset: OWN.id }), dataset: OWN, savedTeachers: {}, exportedAt: AT, images });
    const { files, run } = unzip(exported.bytes);
    expect(run.dataset).toEqual({ id: OWN.id, kind: 'image-folder', numClasses: 2, classNames: PETS, normalization: OWN.normalization, file: 'data/images.dstpack', trainImages: 6, testImages: 4, imageSide: 32 });
    expect(Buffer.from(files['data/images.dstpack']!).equals(Buffer.from(images))).toBe(true);
    const readme = strFromU8(files['README.md']!);
    expect(readme).toContain(`python3 -m distillery_torch --config ${exported.fileName} --out results`);
    expect(readme).toContain('travel in `data/images.dstpack`: 6 training and 4 test pictures');
    expect(readme).toContain('centre-cropped and resized to 32x32');
    expect(readme).not.toMatch(/--data [\w.]/);
  });

  it('says the pictures are 64x64 when they were imported at 64, and carries them bit for bit', async () => {
    const images = await packed(PETS, 64);
    const { files, run } = unzip(buildPytorchRun({ config: config('kd', { dataset: OWN.id }), dataset: OWN, savedTeachers: {}, exportedAt: AT, images }).bytes);
    expect(run.dataset).toMatchObject({ kind: 'image-folder', imageSide: 64, trainImages: 6, testImages: 4 });
    expect(strFromU8(files['README.md']!)).toContain('centre-cropped and resized to 64x64');
    expect(files['data/images.dstpack']!.length).toBe(images.length);
    expect(Buffer.from(files['data/images.dstpack']!).equals(Buffer.from(images))).toBe(true);
  });

  it('refuses missing, damaged or other pictures by name', async () => {
    const build = (images?: Uint8Array, dataset = OWN) => () => buildPytorchRun({ config: config('kd'), dataset, savedTeachers: {}, exportedAt: AT, images });
    expect(build()).toThrow('The decoded images of "imported-images-pets" were not given: they must travel with the export.');
    const images = await packed();
    expect(build(images.slice(0, -3))).toThrow(/stored images of "imported-images-pets" cannot be exported \(\d+ bytes where \d+ were expected\); import them again/);
    expect(build(new TextEncoder().encode('not a pack'))).toThrow(/cannot be exported \(unknown format\)/);
    const description = new TextEncoder().encode(JSON.stringify({ format: 'image-folder', classNames: PETS }));
    const countless = new Uint8Array([...new TextEncoder().encode('DSTPACK1'), description.length, 0, 0, 0, ...description]);
    expect(build(countless)).toThrow(/cannot be exported \(no image counts\)/);
    expect(build(await packed(['cat', 'fox']))).toThrow('The stored images of "imported-images-pets" have the classes cat, fox, not the dataset\u2019s cat, dog.'.replace('\u2019', "'"));
  });
});
