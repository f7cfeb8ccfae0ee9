/**
 * scripts/setup-datasets.mjs, run as `npm run setup` runs it, into temporary output folders. What it writes
 * is read back with the TypeScript parsers, which is what keeps the script's own copy of the CIFAR layouts
 * honest.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatLabeledImages, IMAGE_BYTES, parseCifarBinary } from '../../src/data/cifarBinary';
import { parseDatasetIndex, parseManifest, type CifarManifest } from '../../src/contract/datasetManifest';

const DATASETS_DIR = process.env.KD_DATASETS_DIR ?? path.resolve(__dirname, '../../../shared/datasets');
const SUBSET = path.join(DATASETS_DIR, 'cifar10-subset');
const SCRIPT = path.resolve(__dirname, '../../scripts/setup-datasets.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'distillery-setup-'));
let folders = 0;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder inside the scratch space. */
function freshDir(name: string): string {
  const dir = path.join(scratch, `${folders++}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the script (by default the repository's copy) with a clean environment; reports how long it took. */
function setup(args: string[], { env = {}, script = SCRIPT }: { env?: Record<string, string>; script?: string } = {}) {
  const { DISTILLERY_DATA: _, DISTILLERY_NO_DOWNLOAD: __, ...inherited } = process.env;
  const started = performance.now();
  const run = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...inherited, ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, ms: performance.now() - started };
}

function readManifest(outDir: string, name: string): CifarManifest {
  return parseManifest(JSON.parse(readFileSync(path.join(outDir, name, 'manifest.json'), 'utf8')), `${name}/manifest.json`);
}

/** The training images as the app will see them, decoded by the TypeScript parser from the written shards. */
function decodedTrain(outDir: string, manifest: CifarManifest) {
  const read = (file: string) => parseCifarBinary(readFileSync(path.join(outDir, manifest.name, file)), manifest.format, file);
  return concatLabeledImages(manifest.train.shards.map((shard) => read(shard.file)));
}

/** Per-channel mean and population std in [0, 1] units over interleaved RGB bytes. */
function channelStats(images: Uint8Array): Array<{ mean: number; std: number }> {
  return [0, 1, 2].map((channel) => {
    let sum = 0;
    let squares = 0;
    for (let i = channel; i < images.length; i += 3) {
      sum += images[i]!;
      squares += images[i]! ** 2;
    }
    const n = images.length / 3;
    const mean = sum / n / 255;
    return { mean, std: Math.sqrt(squares / n / 255 ** 2 - mean ** 2) };
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('setup-datasets from the CIFAR-10 subset folder', () => {
  const out = freshDir('out');
  let first: ReturnType<typeof setup>;
  beforeAll(() => {
    first = setup(['--from', SUBSET, '--out', out]);
  });

  it('installs it quickly, with a one-line summary', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^cifar10-subset: 5085 train \/ 1017 test images \(CIFAR-10\) from .*cifar10-subset -> /m);
    expect(first.ms).toBeLessThan(5000);
  });

  it('writes an index and a manifest that the app parsers accept', () => {
    const index = parseDatasetIndex(JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')));
    expect(index.datasets).toEqual([{ name: 'cifar10-subset', title: 'CIFAR-10 subset (5085 train / 1017 test)', manifest: 'cifar10-subset/manifest.json' }]);

    const manifest = readManifest(out, 'cifar10-subset');
    expect(manifest.format).toBe('cifar10-binary');
    expect(manifest.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect(manifest.train.shards.map((shard) => shard.file)).toEqual([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`));
    expect(manifest.test).toMatchObject({ count: 1017, shards: [{ file: 'test_batch.bin', records: 1017, bytes: 3125241 }] });
    for (const shard of [...manifest.train.shards, ...manifest.test.shards]) {
      const copy = path.join(out, 'cifar10-subset', shard.file);
      expect(sha256(copy), shard.file).toBe(shard.sha256);
      expect(sha256(path.join(SUBSET, 'cifar-10-batches-bin', shard.file))).toBe(shard.sha256);
    }
  });

  it('records the per-channel mean and std of the decoded training images', () => {
    const manifest = readManifest(out, 'cifar10-subset');
    const train = decodedTrain(out, manifest);
    expect(train.count * IMAGE_BYTES).toBe(train.images.length);
    const expected = channelStats(train.images);
    expected.forEach(({ mean, std }, c) => {
      expect(manifest.mean[c]).toBeCloseTo(mean, 5);
      expect(manifest.std[c]).toBeCloseTo(std, 5);
    });
  });

  it('is idempotent and leaves no staging folders behind', () => {
    const before = readFileSync(path.join(out, 'cifar10-subset', 'manifest.json'), 'utf8');
    expect(setup(['--from', SUBSET, '--out', out]).status).toBe(0);
    expect(readFileSync(path.join(out, 'cifar10-subset', 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(out).sort()).toEqual(['cifar10-subset', 'index.json']);
  });

  it('does nothing with --if-empty once an index exists', () => {
    const indexTime = statSync(path.join(out, 'index.json')).mtimeMs;
    const run = setup(['--if-empty', '--from', SUBSET, '--out', out]);
    expect(run.stdout).toMatch(/index\.json exists, nothing to do \(--if-empty\)/);
    expect(statSync(path.join(out, 'index.json')).mtimeMs).toBe(indexTime);
  });

  it('installs the same shards from the official-layout archive', () => {
    const fromArchive = freshDir('archive');
    const run = setup(['--from', path.join(SUBSET, 'cifar-10-binary-subset.tar.gz'), '--out', fromArchive]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/cifar-10-binary-subset\.tar\.gz ->/);
    const { source: _, ...fromTar } = readManifest(fromArchive, 'cifar10-subset');
    const { source: __, ...fromFolder } = readManifest(out, 'cifar10-subset');
    expect(fromTar).toEqual(fromFolder);
  });
});

describe('setup-datasets with CIFAR-100', () => {
  it('detects the cifar-100-binary layout and adds it to an existing index', () => {
    // Real pixels in CIFAR-100 records: each CIFAR-10 test record gets a coarse and a fine label.
    const cifar10 = readFileSync(path.join(SUBSET, 'cifar-10-batches-bin', 'test_batch.bin'));
    const records = (from: number, to: number) =>
      Buffer.concat(
        Array.from({ length: to - from }, (_, i) => {
          const record = cifar10.subarray((from + i) * 3073, (from + i + 1) * 3073);
          return Buffer.concat([Buffer.of(record[0]! * 2, record[0]! * 10 + 3), record.subarray(1)]);
        }),
      );
    const source = path.join(freshDir('cifar100'), 'cifar-100-binary');
    mkdirSync(source);
    writeFileSync(path.join(source, 'train.bin'), records(0, 40));
    writeFileSync(path.join(source, 'test.bin'), records(40, 50));
    writeFileSync(path.join(source, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine_${i}\n`).join(''));
    writeFileSync(path.join(source, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse_${i}\n`).join(''));

    const out = freshDir('out100');
    expect(setup(['--from', SUBSET, '--out', out]).status).toBe(0);
    const run = setup(['--from', path.dirname(source), '--out', out]);
    expect(run.stdout).toMatch(/^cifar100-subset: 40 train \/ 10 test images \(CIFAR-100\)/m);

    const manifest = readManifest(out, 'cifar100-subset');
    expect(manifest.format).toBe('cifar100-binary');
    expect(manifest.coarseClassNames).toHaveLength(20);
    const train = decodedTrain(out, manifest);
    expect(Array.from(train.coarseLabels ?? []).map((coarse, i) => train.labels[i]! - coarse * 5)).toEqual(new Array(40).fill(3));
    const index = parseDatasetIndex(JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')));
    expect(index.datasets.map((entry) => entry.name)).toEqual(['cifar10-subset', 'cifar100-subset']);
  });
});

describe('setup-datasets without a usable source', () => {
  /** A copy of the script in an empty project, so that no ../shared/datasets exists next to it. */
  function isolatedScript(): string {
    const scripts = path.join(freshDir('project'), 'project', 'scripts');
    mkdirSync(scripts, { recursive: true });
    copyFileSync(SCRIPT, path.join(scripts, 'setup-datasets.mjs'));
    return path.join(scripts, 'setup-datasets.mjs');
  }

  it('says what it tried and how to fix it, exits 0 and fails fast', () => {
    const out = freshDir('none');
    const run = setup(['--from', '/nonexistent/cifar.tar.gz', '--out', out], { script: isolatedScript(), env: { DISTILLERY_NO_DOWNLOAD: '1' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('datasets: WARNING: no dataset was installed. Tried, in order:');
    expect(run.stderr).toContain('  - --from /nonexistent/cifar.tar.gz: not found');
    expect(run.stderr).toContain('  - ../shared/datasets/cifar10-subset: not found');
    expect(run.stderr).toContain('cifar-10-binary.tar.gz: skipped (DISTILLERY_NO_DOWNLOAD is set)');
    expect(run.stderr).toContain('To fix: set DISTILLERY_DATA');
    expect(run.stderr).toContain('or import the archive in the page');
    expect(readdirSync(out)).toEqual([]);
    expect(run.ms).toBeLessThan(5000); // no network wait: it must not hang on the download
  });

  it('takes DISTILLERY_DATA as the source and records no path outside the project', () => {
    const out = freshDir('env');
    const run = setup(['--out', out], { script: isolatedScript(), env: { DISTILLERY_DATA: SUBSET, DISTILLERY_NO_DOWNLOAD: '1' } });
    expect(run.status).toBe(0);
    expect(readManifest(out, 'cifar10-subset').source).toBe('cifar10-subset');
  });

  it('names the broken file when a source is not in CIFAR format', () => {
    const broken = path.join(freshDir('broken'), 'cifar-10-batches-bin');
    mkdirSync(broken);
    for (const file of [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin')) writeFileSync(path.join(broken, file), Buffer.alloc(1000));
    writeFileSync(path.join(broken, 'batches.meta.txt'), readFileSync(path.join(SUBSET, 'cifar-10-batches-bin', 'batches.meta.txt')));
    const run = setup(['--from', broken, '--out', freshDir('broken-out')], { script: isolatedScript(), env: { DISTILLERY_NO_DOWNLOAD: '1' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('data_batch_1.bin: 3073-byte CIFAR-10 records expected, but the file is 1000 bytes');
  });
});
