/**
 * Folders the reproduction command reads, made small for tests: a datasets folder (index.json, a CIFAR-10
 * manifest and binary shards of learnable synthetic images) and a ready-teachers folder (a manifest and an
 * untrained tiny CNN as a PyTorch safetensors file, written by the page's exporter).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabeledImages } from '../../src/data/cifarBinary';
import { syntheticImages } from '../../src/data/syntheticImages';
import { exportTorchFile } from '../../src/interop/pytorch/export';
import { encodeNetwork } from '../../src/models/networkWeights';
import { buildNetwork } from '../../src/models/zoo';
import { CIFAR10_NORMALIZATION } from '../../src/contract/modelFile';
import { readyTeacherModelId } from '../../src/contract/readyTeachers';

export const FIXTURE_DATASET = 'synthetic-cifar10';
export const FIXTURE_TEACHER = 'tiny';
const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** CIFAR-10's binary records: a label byte, then the red, green and blue planes. */
function cifarBinary(images: LabeledImages): Uint8Array {
  const bytes = new Uint8Array(images.count * 3073);
  for (let i = 0; i < images.count; i++) {
    bytes[i * 3073] = images.labels[i]!;
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) bytes[i * 3073 + 1 + c * 1024 + p] = images.images[i * 3072 + p * 3 + c]!;
  }
  return bytes;
}

/** A datasets folder with `trainCount` training and `testCount` test images of ten classes. */
export function writeDatasetsFolder(root: string, trainCount: number, testCount: number): string {
  const folder = path.join(root, FIXTURE_DATASET);
  mkdirSync(folder, { recursive: true });
  const split = (file: string, images: LabeledImages) => {
    const bytes = cifarBinary(images);
    writeFileSync(path.join(folder, file), bytes);
    return { count: images.count, shards: [{ file, records: images.count, bytes: bytes.length, sha256: sha256(bytes) }] };
  };
  const manifest = {
    name: FIXTURE_DATASET, title: 'Synthetic CIFAR-10', format: 'cifar10-binary', classNames: CLASS_NAMES,
    train: split('data_batch_1.bin', syntheticImages(trainCount, 1, 10)), test: split('test_batch.bin', syntheticImages(testCount, 2, 10)),
    mean: [0.4, 0.4, 0.4], std: [0.25, 0.25, 0.25], source: 'tests/helpers/reproductionFixtures.ts',
  };
  writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(path.join(root, 'index.json'), JSON.stringify({ datasets: [{ name: FIXTURE_DATASET, title: manifest.title, manifest: `${FIXTURE_DATASET}/manifest.json` }] }));
  return root;
}

/** A ready-teachers folder whose one teacher, `tiny`, is a tiny CNN with seeded initial weights. */
export async function writeTeachersFolder(root: string): Promise<string> {
  mkdirSync(root, { recursive: true });
  const net = buildNetwork('tiny-cnn', { numClasses: 10, name: 'fixture-teacher', seed: 11 });
  const metadata = { name: 'Tiny teacher', dataset: FIXTURE_DATASET, classNames: CLASS_NAMES, testAccuracy: null, trainedWith: 'untrained', savedAt: 0, inputNormalization: CIFAR10_NORMALIZATION };
  const { json, weights } = await encodeNetwork(net, metadata);
  net.dispose();
  const { bytes } = exportTorchFile(json, weights, 'safetensors');
  writeFileSync(path.join(root, 'tiny.safetensors'), bytes);
  const hash = sha256(bytes);
  const teacher = {
    id: FIXTURE_TEACHER, label: 'Tiny CNN', role: 'a test teacher', model: 'tiny-cnn', file: 'tiny.safetensors', bytes: bytes.length, sha256: hash, savedModelId: readyTeacherModelId(hash),
    dataset: FIXTURE_DATASET, trainImages: 0, testImages: 0, seed: 11, epochs: 0, accuracy: 0.1, ece: 0, command: 'tests/helpers/reproductionFixtures.ts',
  };
  writeFileSync(path.join(root, 'manifest.json'), JSON.stringify({ format: 'distillery-ready-teachers', version: 1, teachers: [teacher] }));
  return root;
}
