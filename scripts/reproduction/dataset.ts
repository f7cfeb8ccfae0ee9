/**
 * A dataset `npm run setup` installed (public/datasets: index.json, a manifest, CIFAR binary shards), read
 * from disk the way the page's loader (src/data/datasetLoader.ts) fetches it: the same index and manifest
 * checks, every shard's size and SHA-256 against the manifest, decoded by the page's CIFAR decoder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDatasetIndex, parseManifest, type DatasetManifest, type SplitInfo } from '../../src/contract/datasetManifest';
import { createLabeledImages, decodeCifarInto, type CifarFormat, type LabeledImages } from '../../src/data/cifarBinary';
import type { RunData } from '../../src/training/run';

export class DatasetMissingError extends Error {
  override readonly name = 'DatasetMissingError';
}

const SETUP_HINT = 'run `npm run setup` first (it installs the CIFAR-10 subset under public/datasets), or pass --datasets-dir';

export interface DiskDataset {
  readonly manifest: DatasetManifest;
  readonly data: RunData;
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new DatasetMissingError(`${what} is missing (${file}): ${SETUP_HINT}.`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

function readSplit(split: SplitInfo, format: CifarFormat, folder: string): LabeledImages {
  const out = createLabeledImages(split.count, format);
  let offset = 0;
  for (const shard of split.shards) {
    const file = path.join(folder, shard.file);
    if (!existsSync(file)) throw new DatasetMissingError(`The dataset's shard ${file} is missing: ${SETUP_HINT}.`);
    const bytes = new Uint8Array(readFileSync(file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== shard.bytes || digest !== shard.sha256) {
      throw new DatasetMissingError(`${file} is not the shard its manifest describes (${bytes.length} bytes, SHA-256 ${digest.slice(0, 16)}…; expected ${shard.bytes} bytes, ${shard.sha256.slice(0, 16)}…): ${SETUP_HINT}.`);
    }
    offset += decodeCifarInto(out, offset, bytes, format, shard.file);
  }
  return out;
}

/** Dataset `name` from the datasets folder, as the run's data (the manifest's normalisation and class count). */
export function readDiskDataset(datasetsDir: string, name: string): DiskDataset {
  const index = parseDatasetIndex(readJson(path.join(datasetsDir, 'index.json'), 'The datasets index'));
  const entry = index.datasets.find((d) => d.name === name);
  if (!entry) throw new DatasetMissingError(`Dataset "${name}" is not installed in ${datasetsDir} (available: ${index.datasets.map((d) => d.name).join(', ') || 'none'}): ${SETUP_HINT}.`);
  const manifestFile = path.join(datasetsDir, entry.manifest);
  const manifest = parseManifest(readJson(manifestFile, `The manifest of "${name}"`), entry.manifest);
  const folder = path.dirname(manifestFile);
  const train = readSplit(manifest.train, manifest.format, folder);
  const test = readSplit(manifest.test, manifest.format, folder);
  return { manifest, data: { train, test, normalization: { mean: manifest.mean, std: manifest.std }, numClasses: manifest.classNames.length } };
}
