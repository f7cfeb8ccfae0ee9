/**
 * The loader against a real HTTP server on 127.0.0.1 serving what the setup script writes from the real
 * CIFAR-10 subset: the same bytes, manifest and checksums the page fetches from `dist/datasets/`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetFormatError, parseCifarBinary } from '../../src/data/cifarBinary';
import { DatasetLoadError, listDatasets, loadDataset, type LoadProgress } from '../../src/data/datasetLoader';

const DATASETS_DIR = process.env.KD_DATASETS_DIR ?? path.resolve(__dirname, '../../../shared/datasets');
const SETUP_SCRIPT = path.resolve(__dirname, '../../scripts/setup-datasets.mjs');
const SHARD_BYTES = 1017 * 3073;
const ALL_SHARDS = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');

/** How the server misbehaves for one URL path. */
type Fault = 'missing' | 'corrupt' | 'truncated' | 'html';
const faults = new Map<string, Fault>();
let root: string;
let server: Server;
let base: string;

function serve(request: string, respond: (status: number, type: string, body: Buffer | string) => void): void {
  const urlPath = decodeURIComponent(new URL(request, 'http://localhost').pathname);
  const file = path.join(root, urlPath);
  const fault = faults.get(urlPath);
  if (fault === 'html') return respond(200, 'text/html', '<!doctype html><title>Distillery</title>');
  if (fault === 'missing' || !file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
    return respond(404, 'text/plain', 'not found');
  }
  const body = readFileSync(file);
  if (fault === 'truncated') return respond(200, 'application/octet-stream', body.subarray(0, body.length >> 1));
  if (fault === 'corrupt') body[body.length - 1] = 255 - body.at(-1)!; // the last pixel byte: still a valid record
  respond(200, file.endsWith('.json') ? 'application/json' : 'application/octet-stream', body);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'distillery-loader-'));
  execFileSync(process.execPath, [SETUP_SCRIPT, '--from', path.join(DATASETS_DIR, 'cifar10-subset'), '--out', path.join(root, 'datasets')]);
  server = createServer((request, response) =>
    serve(request.url ?? '/', (status, type, body) => response.writeHead(status, { 'content-type': type }).end(body)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/datasets/`;
});

afterEach(() => faults.clear());

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** The error a load rejects with, so its class and message can both be checked. */
async function failure(load: Promise<unknown>): Promise<Error> {
  const error: unknown = await load.then(
    () => new Error('expected the load to fail'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
  return error;
}

describe('listDatasets', () => {
  it('lists what the setup script installed', async () => {
    expect(await listDatasets(base)).toEqual([
      { name: 'cifar10-subset', title: 'CIFAR-10 subset (5085 train / 1017 test)', manifest: 'cifar10-subset/manifest.json' },
    ]);
  });

  it('says how to install datasets when there is no index', async () => {
    const error = await failure(listDatasets(base.replace('/datasets/', '/nowhere')));
    expect(error).toBeInstanceOf(DatasetLoadError);
    expect(error.message).toMatch(/^HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/nowhere\/index\.json; run `npm run setup`/);
  });

  it('refuses a relative base URL, which a worker would resolve against its own script', async () => {
    await expect(listDatasets('./datasets/')).rejects.toThrow('The datasets base URL must be absolute');
  });
});

describe('loadDataset', () => {
  it('loads both splits, byte-identical to the official files, with streaming progress', async () => {
    const events: LoadProgress[] = [];
    const { manifest, train, test } = await loadDataset(base, 'cifar10-subset', { onProgress: (event) => events.push(event) });

    expect(manifest.classNames[0]).toBe('airplane');
    expect([train.count, test.count]).toEqual([5085, 1017]);
    const official = parseCifarBinary(readFileSync(path.join(DATASETS_DIR, 'cifar10-subset/cifar-10-batches-bin/test_batch.bin')), 'cifar10-binary', 'test_batch.bin');
    expect(Buffer.compare(test.images, official.images)).toBe(0);
    expect(Buffer.compare(test.labels, official.labels)).toBe(0);

    expect(events.length).toBeGreaterThan(ALL_SHARDS.length); // several chunks per 3 MB shard
    expect(new Set(events.map((event) => event.file))).toEqual(new Set(ALL_SHARDS));
    expect(events.every((event) => event.totalBytes === 6 * SHARD_BYTES)).toBe(true);
    expect(events.every((event, i) => i === 0 || event.loadedBytes > events[i - 1]!.loadedBytes)).toBe(true);
    expect(events.at(-1)?.loadedBytes).toBe(6 * SHARD_BYTES);
  });

  it('names the shard whose checksum does not match, and skips the check when verify is off', async () => {
    faults.set('/datasets/cifar10-subset/data_batch_4.bin', 'corrupt');
    const error = await failure(loadDataset(base, 'cifar10-subset'));
    expect(error).toBeInstanceOf(DatasetLoadError);
    expect(error.message).toMatch(/^data_batch_4\.bin: SHA-256 checksum mismatch \(manifest [0-9a-f]{12}\.\.\., received [0-9a-f]{12}\.\.\.\): the file is corrupt/);

    const unverified = await loadDataset(base, 'cifar10-subset', { verify: false });
    expect(unverified.train.count).toBe(5085);
  });

  it('reports a missing shard with its HTTP status and URL', async () => {
    faults.set('/datasets/cifar10-subset/test_batch.bin', 'missing');
    const error = await failure(loadDataset(base, 'cifar10-subset'));
    expect(error).toBeInstanceOf(DatasetLoadError);
    expect(error.message).toMatch(/^HTTP 404 Not Found for http:\/\/127\.0\.0\.1:\d+\/datasets\/cifar10-subset\/test_batch\.bin; run `npm run setup`/);
  });

  it('reports a shard cut short', async () => {
    faults.set('/datasets/cifar10-subset/data_batch_2.bin', 'truncated');
    const error = await failure(loadDataset(base, 'cifar10-subset'));
    expect(error.message).toMatch(/data_batch_2\.bin: received 1562620 of the 3125241 bytes the manifest lists \(truncated\?\)/);
  });

  it('recognises the HTML page a dev server sends for a missing file', async () => {
    faults.set('/datasets/cifar10-subset/manifest.json', 'html');
    const error = await failure(loadDataset(base, 'cifar10-subset'));
    expect(error.message).toMatch(/cifar10-subset\/manifest\.json is missing \(the server sent an HTML page instead\)/);
  });

  it('names the available datasets when asked for another one', async () => {
    await expect(loadDataset(base, 'cifar100')).rejects.toThrow(
      'Dataset "cifar100" is not installed (available: cifar10-subset); run `npm run setup`, or import the CIFAR archive in the page.',
    );
  });

  it('refuses a manifest that is not JSON as a format error', async () => {
    faults.set('/datasets/cifar10-subset/manifest.json', 'truncated');
    const error = await failure(loadDataset(base, 'cifar10-subset'));
    expect(error).toBeInstanceOf(DatasetFormatError);
    expect(error.message).toMatch(/^cifar10-subset\/manifest\.json: is not valid JSON/);
  });

  it('stops when its signal aborts, with the AbortError itself', async () => {
    const controller = new AbortController();
    const error = await failure(loadDataset(base, 'cifar10-subset', { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error.name).toBe('AbortError');
  });
});
