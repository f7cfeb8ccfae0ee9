/**
 * Importing official CIFAR `.tar.gz` archives: the real CIFAR-10 subset archive, a small CIFAR-100 archive
 * built here (exercising the tar variants), and every kind of broken input a person might pick.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ArchiveImportError,
  importCifarArchive,
  MAX_ARCHIVE_BYTES,
  type ArchiveImportProgress,
} from '../../src/data/cifarArchive';
import {
  concatLabeledImages,
  DatasetFormatError,
  parseCifarBinary,
  type LabeledImages,
} from '../../src/data/cifarBinary';
import { parseManifest } from '../../src/contract/datasetManifest';

const DATASETS_DIR = process.env.KD_DATASETS_DIR ?? path.resolve(__dirname, '../../../shared/datasets');
const SUBSET_DIR = path.join(DATASETS_DIR, 'cifar10-subset');
const SUBSET_ARCHIVE = path.join(SUBSET_DIR, 'cifar-10-binary-subset.tar.gz');
const HAS_SUBSET = existsSync(SUBSET_ARCHIVE);
const C10 = 'cifar-10-batches-bin';
const C100 = 'cifar-100-binary';

// ---- A tiny tar writer: just enough header fields for the reader under test. ----

interface TarMember {
  readonly path: string;
  readonly data?: Uint8Array;
  /** typeflag; '0' (a regular file) by default. */
  readonly type?: string;
  /** POSIX ustar prefix: the path's folder, stored apart from the name. */
  readonly prefix?: string;
  /** A size field that lies about the data (which is written as given). */
  readonly declaredSize?: number;
}

function writeText(header: Uint8Array, at: number, text: string): void {
  header.set(new TextEncoder().encode(text), at);
}

function tarHeader(member: TarMember): Uint8Array {
  const header = new Uint8Array(512);
  const size = member.declaredSize ?? member.data?.length ?? 0;
  writeText(header, 0, member.path);
  writeText(header, 100, '0000644\0');
  writeText(header, 108, '0000000\0');
  writeText(header, 116, '0000000\0');
  if (size < 8 ** 11) {
    writeText(header, 124, `${size.toString(8).padStart(11, '0')}\0`);
  } else {
    header[124] = 0x80; // GNU base-256
    for (let i = 135, rest = size; i > 124; i--, rest = Math.floor(rest / 256)) header[i] = rest % 256;
  }
  writeText(header, 136, '15000000000\0');
  writeText(header, 156, member.type ?? '0');
  writeText(header, 257, 'ustar\u000000');
  if (member.prefix) writeText(header, 345, member.prefix);
  writeText(header, 148, '        ');
  const sum = header.reduce((total, byte) => total + byte, 0);
  writeText(header, 148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

function tar(members: readonly TarMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const member of members) {
    const data = member.data ?? new Uint8Array(0);
    parts.push(tarHeader(member), data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024)); // end of archive
  return Buffer.concat(parts);
}

const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const blob = (bytes: Uint8Array): Blob => new Blob([Uint8Array.from(bytes)]);

/** Records with random pixels; `labels[i]` is the record's label bytes (CIFAR-100: coarse, fine). */
function records(labels: readonly (readonly number[])[]): Uint8Array {
  const recordBytes = labels[0]!.length + 3072;
  const bytes = new Uint8Array(randomBytes(labels.length * recordBytes));
  labels.forEach((label, i) => bytes.set(label, i * recordBytes));
  return bytes;
}

const TEN_NAMES = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n';

/**
 * A small complete CIFAR-10 archive, gzipped: one record per training batch (labels 1..5), two test records
 * (7, 8), the ten names. `replace` swaps a member's data by file name (null drops it); `extra` is appended.
 */
function cifar10Archive(replace: Record<string, Uint8Array | null> = {}, extra: TarMember[] = []): Uint8Array {
  const members = new Map<string, Uint8Array>([
    ...[1, 2, 3, 4, 5].map((i): [string, Uint8Array] => [`data_batch_${i}.bin`, records([[i]])]),
    ['test_batch.bin', records([[7], [8]])],
    ['batches.meta.txt', text(TEN_NAMES)],
  ]);
  for (const [file, data] of Object.entries(replace)) {
    if (data) members.set(file, data);
    else members.delete(file);
  }
  return gzip(tar([...[...members].map(([file, data]) => ({ path: `${C10}/${file}`, data })), ...extra]));
}

/** A small complete CIFAR-100 archive, gzipped: three training records, two test records, 100 names. */
function cifar100Archive(): Uint8Array {
  const names = Array.from({ length: 100 }, (_, i) => `c${i}`).join('\n');
  return gzip(
    tar([
      { path: `${C100}/train.bin`, data: records([[1, 2], [3, 4], [5, 6]]) },
      { path: `${C100}/test.bin`, data: records([[1, 2], [3, 4]]) },
      { path: `${C100}/fine_label_names.txt`, data: text(names) },
    ]),
  );
}

/** A tar whose second header has one byte changed after its checksum was computed. */
function tarWithDamagedSecondHeader(): Uint8Array {
  const bytes = tar([
    { path: `${C10}/batches.meta.txt`, data: text(TEN_NAMES) },
    { path: `${C10}/data_batch_1.bin`, data: records([[1]]) },
  ]);
  bytes[1024 + 5] = bytes[1024 + 5]! ^ 1; // a byte of the second header's name
  return bytes;
}

/** The error an import rejects with. */
async function failure(source: Blob | ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Error> {
  const error: unknown = await importCifarArchive(source, { signal }).then(
    () => new Error('expected the import to fail'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(error)}`);
  return error;
}

describe('importCifarArchive', () => {
  it.skipIf(!HAS_SUBSET)(
    `imports the real CIFAR-10 subset archive${HAS_SUBSET ? '' : ` (skipped: ${SUBSET_ARCHIVE} is absent)`}`,
    async () => {
      const archive = await openAsBlob(SUBSET_ARCHIVE);
      const progress: ArchiveImportProgress[] = [];
      const started = performance.now();
      const dataset = await importCifarArchive(archive, { onProgress: (p) => progress.push(p) });
      const seconds = (performance.now() - started) / 1000;
      console.info(`imported the ${(archive.size / 1e6).toFixed(1)} MB subset archive in ${seconds.toFixed(2)} s`);

      const loose = (file: string): Uint8Array => new Uint8Array(readFileSync(path.join(SUBSET_DIR, C10, file)));
      const batchFiles = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
      const parse = (file: string): LabeledImages => parseCifarBinary(loose(file), 'cifar10-binary', file);
      const train = concatLabeledImages(batchFiles.map(parse));
      const test = parse('test_batch.bin');
      expect(dataset.train.count).toBe(5085);
      expect(dataset.test.count).toBe(1017);
      expect(Buffer.from(dataset.train.labels).equals(train.labels)).toBe(true);
      expect(Buffer.from(dataset.train.images).equals(train.images)).toBe(true);
      expect(Buffer.from(dataset.test.labels).equals(test.labels)).toBe(true);
      expect(Buffer.from(dataset.test.images).equals(test.images)).toBe(true);

      const { manifest } = dataset;
      const metaLines = new TextDecoder().decode(loose('batches.meta.txt')).split('\n').filter(Boolean);
      expect(manifest.classNames).toEqual(metaLines);
      expect(manifest).toMatchObject({
        name: 'imported-cifar10',
        format: 'cifar10-binary',
        title: 'CIFAR-10 (imported archive, 5085 train / 1017 test)',
      });
      expect(manifest.train.shards.map((shard) => shard.file)).toEqual(batchFiles);
      const sha256 = createHash('sha256').update(loose('data_batch_3.bin')).digest('hex');
      expect(manifest.train.shards[2]).toEqual({ file: 'data_batch_3.bin', records: 1017, bytes: 1017 * 3073, sha256 });
      // A manifest the setup script could have written: it passes the same validation.
      expect(parseManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);

      // Mean and std from the imported training pixels, checked against a direct computation...
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0;
        let squares = 0;
        for (let at = channel; at < train.images.length; at += 3) {
          sum += train.images[at]! / 255;
          squares += (train.images[at]! / 255) ** 2;
        }
        const mean = sum / (train.images.length / 3);
        expect(manifest.mean[channel]).toBeCloseTo(mean, 10);
        expect(manifest.std[channel]).toBeCloseTo(Math.sqrt(squares / (train.images.length / 3) - mean ** 2), 10);
      }
      // ...and close to the official full-set constants, as a 10% sample should be.
      [0.4914, 0.4822, 0.4465].forEach((official, channel) => expect(manifest.mean[channel]).toBeCloseTo(official, 1));

      expect(progress.length).toBeGreaterThan(10);
      progress.forEach((p, i) => {
        expect(p.totalBytes).toBe(archive.size);
        if (i > 0) expect(p.readBytes).toBeGreaterThanOrEqual(progress[i - 1]!.readBytes);
      });
      expect(progress.at(-1)!.readBytes).toBe(archive.size);
      const members = new Set(progress.map((p) => p.member));
      batchFiles.forEach((file) => expect(members).toContain(`${C10}/${file}`));
    },
  );

  it('imports a CIFAR-100 archive with fine labels, whatever tar variant stored its paths', async () => {
    const labels = [[3, 97], [0, 0], [19, 42]];
    const train = records(labels);
    const test = records([[1, 5], [2, 99]]);
    const fineNames = Array.from({ length: 100 }, (_, i) => `fine_${i}`);
    const longName = text(`${C100}/test.bin\0`);
    const archive = gzip(
      tar([
        { path: 'pax_global_header', type: 'g', data: text('18 comment=hello!\n') }, // skipped
        { path: `${C100}/`, type: '5' },
        { path: 'train.bin', prefix: C100, data: train }, // ustar prefix
        { path: '././@LongLink', type: 'L', data: longName }, // GNU long name
        { path: 'truncated-name', data: test },
        { path: `${C100}/coarse_label_names.txt`, data: text('a\nb\n') }, // not read
        { path: 'PaxHeaders/fine_label_names.txt', type: 'x', data: text('30 mtime=1700000000.123456789\n') },
        { path: `${C100}/fine_label_names.txt`, data: text(`${fineNames.join('\n')}\n\n`) },
        { path: `${C100}/readme.html`, data: text('<p>hello</p>') },
      ]),
    );
    const progress: ArchiveImportProgress[] = [];
    const dataset = await importCifarArchive(blob(archive).stream(), { onProgress: (p) => progress.push(p) });

    expect(dataset.train.count).toBe(3);
    expect([...dataset.train.labels]).toEqual([97, 0, 42]);
    expect([...dataset.train.coarseLabels!]).toEqual([3, 0, 19]);
    expect([...dataset.test.labels]).toEqual([5, 99]);
    expect(dataset.train.images).toEqual(parseCifarBinary(train, 'cifar100-binary', 'train.bin').images);
    expect(dataset.manifest).toMatchObject({
      name: 'imported-cifar100',
      format: 'cifar100-binary',
      title: 'CIFAR-100 (imported archive, 3 train / 2 test)',
      classNames: fineNames,
    });
    expect(dataset.manifest.coarseClassNames).toBeUndefined();
    expect(parseManifest(JSON.parse(JSON.stringify(dataset.manifest)))).toEqual(dataset.manifest);
    expect(progress.every((p) => p.totalBytes === null)).toBe(true);
    expect(progress.at(-1)!.readBytes).toBe(archive.length);
  });

  describe('refuses broken inputs with a message a person understands', () => {
    // [what, the file, its message, the error class when not ArchiveImportError]
    const cases: readonly [string, () => Uint8Array, RegExp | string, (new (...args: never[]) => Error)?][] = [
      ['an empty file', () => new Uint8Array(0), 'The file is empty.'],
      [
        'a PNG renamed .tar.gz',
        () => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52),
        'This is not a .tar.gz archive (it does not start with the gzip signature).',
      ],
      [
        'a truncated gzip',
        () => cifar100Archive().subarray(0, 9000),
        'The archive is truncated or damaged: unexpected end of file.',
      ],
      [
        'a gzip of random bytes',
        () => gzip(randomBytes(4096)),
        "This file is compressed correctly but it is not a tar archive (the header's checksum does not match).",
      ],
      [
        'a gzip of a few bytes',
        () => gzip(text('hello')),
        'This file is compressed correctly but it is not a tar archive (it stops 5 bytes into a header).',
      ],
      [
        'a tar with a damaged header after the first',
        () => gzip(tarWithDamagedSecondHeader()),
        "The tar archive is damaged: at byte 1024, the header's checksum does not match.",
      ],
      [
        'a tar.gz of unrelated files',
        () => gzip(tar([{ path: 'notes.txt', data: text('hi') }, { path: 'photos/', type: '5' }])),
        'This archive does not contain the CIFAR-10 or CIFAR-100 binary files ' +
          '(expected cifar-10-batches-bin/... or cifar-100-binary/...). It holds notes.txt.',
      ],
      [
        'the Python version of CIFAR-10',
        () => gzip(tar([{ path: 'cifar-10-batches-py/data_batch_1', data: text('pickle') }])),
        'This archive does not contain the CIFAR-10 or CIFAR-100 binary files ' +
          '(expected cifar-10-batches-bin/... or cifar-100-binary/...). This is the Python (pickle) version of ' +
          'CIFAR-10: download the binary version (cifar-10-binary.tar.gz or cifar-100-binary.tar.gz).',
      ],
      [
        'a member that is not whole records',
        () => cifar10Archive({ 'data_batch_1.bin': new Uint8Array(2 * 3073 + 5) }),
        `${C10}/data_batch_1.bin: 3073-byte CIFAR-10 records expected, but the file is 6151 bytes ` +
          '(2 whole records and 5 bytes left over: truncated, or not a CIFAR-10 file?)',
        DatasetFormatError,
      ],
      [
        'a member declaring more records than the official file (with little data behind it)',
        () => gzip(tar([{ path: `${C10}/test_batch.bin`, data: records([[1]]), declaredSize: 10_001 * 3073 }])),
        `${C10}/test_batch.bin declares 30733073 bytes, more than the official file (10000 records) can hold ` +
          '(30730000 bytes): this is not an official CIFAR-10 archive; refusing it.',
      ],
      [
        'a CIFAR-100 test.bin the size of train.bin',
        () => gzip(tar([{ path: `${C100}/test.bin`, declaredSize: 50_000 * 3074 }])),
        /^cifar-100-binary\/test\.bin declares 153700000 bytes, more than the official file \(10000 records\)/,
      ],
      [
        'an unrelated member of 16 GiB',
        () => gzip(tar([{ path: 'disk.img', declaredSize: 16 * 1024 ** 3 }])),
        `This archive unpacks to more than ${MAX_ARCHIVE_BYTES / 1024 ** 2} MiB, more than any official CIFAR ` +
          'archive (about 185 MB); refusing it.',
      ],
      [
        'a names file with nine names',
        () => cifar10Archive({ 'batches.meta.txt': text('a\nb\nc\nd\ne\nf\ng\nh\ni\n') }),
        `${C10}/batches.meta.txt should hold 10 class names, one a line, but holds 9.`,
      ],
      [
        'an archive without its test batch',
        () => cifar10Archive({ 'test_batch.bin': null }),
        `This CIFAR-10 archive is incomplete: it lacks ${C10}/test_batch.bin.`,
      ],
      [
        'an archive without names or batch 4',
        () => cifar10Archive({ 'data_batch_4.bin': null, 'batches.meta.txt': null }),
        `This CIFAR-10 archive is incomplete: it lacks ${C10}/data_batch_4.bin, ${C10}/batches.meta.txt.`,
      ],
      [
        'a member stored twice',
        () => cifar10Archive({}, [{ path: `${C10}/test_batch.bin`, data: records([[1]]) }]),
        `${C10}/test_batch.bin appears twice in the archive.`,
      ],
      [
        'a record with label 12',
        () => cifar10Archive({ 'data_batch_1.bin': records([[12]]) }),
        /^cifar-10-batches-bin\/data_batch_1\.bin: record 0 has label 12, but CIFAR-10 labels are 0\.\.9/,
        DatasetFormatError,
      ],
    ];
    it.each(cases)('%s', async (_, bytes, message, errorClass = ArchiveImportError) => {
      const error = await failure(blob(bytes()));
      expect(error).toBeInstanceOf(errorClass);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
    });
  });

  it('accepts "./" paths and members in any order, and keeps the batches in their numbered order', async () => {
    const members = [
      { path: `./${C10}/batches.meta.txt`, data: text(`${TEN_NAMES}\n\n`) }, // trailing blank lines, as official
      { path: `./${C10}/test_batch.bin`, data: records([[7], [8]]) },
      ...[5, 3, 1, 4, 2].map((i) => ({ path: `./${C10}/data_batch_${i}.bin`, data: records([[i], [i]]) })),
      { path: `./${C10}/readme.html`, data: text('<p>hello</p>') },
    ];
    const dataset = await importCifarArchive(blob(gzip(tar(members))));
    expect([...dataset.train.labels]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...dataset.test.labels]).toEqual([7, 8]);
    expect(dataset.manifest.classNames).toEqual(TEN_NAMES.trim().split('\n'));
    expect(dataset.manifest.train.shards.map((shard) => shard.file)).toEqual(
      [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    );
  });

  it('stops with an AbortError when aborted before, during, or while waiting for a stalled stream', async () => {
    const archive = cifar10Archive();
    expect((await importCifarArchive(blob(archive))).train.count).toBe(5); // the fixture itself is fine
    expect((await failure(blob(archive), AbortSignal.abort())).name).toBe('AbortError');

    const controller = new AbortController();
    const onProgress = (): void => controller.abort();
    const during = importCifarArchive(blob(archive), { signal: controller.signal, onProgress });
    await expect(during).rejects.toMatchObject({ name: 'AbortError' });

    // Half the archive, then a source that never delivers more: the abort must not wait for it.
    const stalled = (bytes: Uint8Array): ReadableStream<Uint8Array> =>
      new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(bytes), pull: () => new Promise<void>(() => {}) });
    expect((await failure(stalled(archive.subarray(0, archive.length >> 1)), AbortSignal.timeout(50))).name).toBe(
      'TimeoutError',
    );
    // Stalled before the gzip signature could even be checked.
    expect((await failure(stalled(archive.subarray(0, 1)), AbortSignal.timeout(50))).name).toBe('TimeoutError');
  });
});
