import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CIFAR_LAYOUTS,
  concatLabeledImages,
  countRecords,
  DatasetFormatError,
  IMAGE_BYTES,
  parseCifarBinary,
  takeBalancedSubset,
  type LabeledImages,
} from '../../src/data/cifarBinary';

// The real CIFAR-10 subset lives outside the repository (it is never committed); KD_DATASETS_DIR overrides
// the folder that holds `cifar10-subset/`.
const DATASETS_DIR = process.env.KD_DATASETS_DIR ?? path.resolve(__dirname, '../../../shared/datasets');
const BATCHES_DIR = path.join(DATASETS_DIR, 'cifar10-subset', 'cifar-10-batches-bin');
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const CIFAR10 = CIFAR_LAYOUTS['cifar10-binary'];
const CIFAR100 = CIFAR_LAYOUTS['cifar100-binary'];

const readBatch = (file: string): Uint8Array => new Uint8Array(readFileSync(path.join(BATCHES_DIR, file)));

/** The DatasetFormatError that `parse` throws, so a test can check its class, its file and its whole message. */
function formatError(parse: () => unknown): DatasetFormatError {
  try {
    parse();
  } catch (error) {
    if (error instanceof DatasetFormatError) return error;
    throw error;
  }
  throw new Error('expected a DatasetFormatError');
}

/** CIFAR-100 records whose pixel bytes follow a known pattern, to check the de-interleaving exactly. */
function cifar100Records(labels: ReadonlyArray<{ coarse: number; fine: number }>): Uint8Array {
  const bytes = new Uint8Array(labels.length * CIFAR100.recordBytes);
  labels.forEach(({ coarse, fine }, record) => {
    const start = record * CIFAR100.recordBytes;
    bytes[start] = coarse;
    bytes[start + 1] = fine;
    for (let i = 0; i < IMAGE_BYTES; i++) bytes[start + 2 + i] = (record * 7 + i) % 251;
  });
  return bytes;
}

describe('CIFAR-10 binary parser on the real subset', () => {
  it('reads 1017 records from every batch, with labels 0..9', () => {
    for (const file of [...TRAIN_FILES, 'test_batch.bin']) {
      const parsed = parseCifarBinary(readBatch(file), 'cifar10-binary', file);
      expect(parsed.count, file).toBe(1017);
      expect(parsed.images.length).toBe(1017 * IMAGE_BYTES);
      expect(parsed.labels.length).toBe(1017);
      expect(parsed.coarseLabels).toBeUndefined();
      expect(Math.max(...parsed.labels)).toBe(9);
      expect(new Set(parsed.labels).size).toBe(10);
    }
  });

  it('interleaves the planar R, G and B bytes into NHWC pixels', () => {
    const raw = readBatch('test_batch.bin');
    const parsed = parseCifarBinary(raw, 'cifar10-binary', 'test_batch.bin');
    for (const record of [0, 1, 500, 1016]) {
      const start = record * CIFAR10.recordBytes;
      expect(parsed.labels[record]).toBe(raw[start]);
      for (const [y, x] of [[0, 0], [0, 31], [13, 7], [31, 31]] as const) {
        const pixel = y * 32 + x;
        const out = record * IMAGE_BYTES + pixel * 3;
        const planar = [0, 1, 2].map((channel) => raw[start + 1 + channel * 1024 + pixel]);
        expect(Array.from(parsed.images.subarray(out, out + 3)), `record ${record} (${y}, ${x})`).toEqual(planar);
      }
    }
  });

  it('concatenates the five training batches in order', () => {
    const parts = TRAIN_FILES.map((file) => parseCifarBinary(readBatch(file), 'cifar10-binary', file));
    const train = concatLabeledImages(parts);
    expect(train.count).toBe(5085);
    const last = parts[4]!;
    // Buffer.compare: a deep toEqual over megabytes of pixels takes seconds.
    expect(Buffer.compare(train.labels.subarray(4 * 1017), last.labels)).toBe(0);
    expect(Buffer.compare(train.images.subarray(4 * 1017 * IMAGE_BYTES), last.images)).toBe(0);
  });
});

describe('DatasetFormatError', () => {
  it('names the file, the record size and the size found for a truncated file', () => {
    const error = formatError(() => parseCifarBinary(new Uint8Array(1000), 'cifar10-binary', 'test_batch.bin'));
    expect(error.file).toBe('test_batch.bin');
    expect(error.message).toBe('test_batch.bin: 3073-byte CIFAR-10 records expected, but the file is 1000 bytes (truncated?)');
  });

  it('explains a file cut in the middle of a record', () => {
    const cut = readBatch('test_batch.bin').subarray(0, 3125240);
    expect(formatError(() => parseCifarBinary(cut, 'cifar10-binary', 'test_batch.bin')).message).toBe(
      'test_batch.bin: 3073-byte CIFAR-10 records expected, but the file is 3125240 bytes ' +
        '(1016 whole records and 3072 bytes left over: truncated, or not a CIFAR-10 file?)',
    );
  });

  it('refuses a file of another record size (CIFAR-10 read as CIFAR-100)', () => {
    const error = formatError(() => parseCifarBinary(readBatch('test_batch.bin'), 'cifar100-binary', 'test.bin'));
    expect(error.message).toMatch(/^test\.bin: 3074-byte CIFAR-100 records expected, but the file is 3125241 bytes .*not a CIFAR-100 file/);
  });

  it('refuses an empty file', () => {
    expect(formatError(() => parseCifarBinary(new Uint8Array(0), 'cifar10-binary', 'data_batch_1.bin')).message).toBe(
      'data_batch_1.bin: 3073-byte CIFAR-10 records expected, but the file is empty',
    );
  });

  it('refuses labels out of range and says which record', () => {
    const bytes = readBatch('data_batch_1.bin').slice(0, 3 * CIFAR10.recordBytes);
    bytes[2 * CIFAR10.recordBytes] = 10;
    expect(formatError(() => parseCifarBinary(bytes, 'cifar10-binary', 'data_batch_1.bin')).message).toBe(
      'data_batch_1.bin: record 2 has label 10, but CIFAR-10 labels are 0..9 (wrong format or corrupt file?)',
    );
  });

  it('refuses more records than any official file holds, before allocating', () => {
    expect(() => countRecords(10_001 * CIFAR10.recordBytes, 'cifar10-binary', 'huge.bin')).toThrow(
      'huge.bin: 10001 records, more than any official CIFAR-10 file holds (10000); refusing it',
    );
    expect(countRecords(50_000 * CIFAR100.recordBytes, 'cifar100-binary', 'train.bin')).toBe(50_000);
  });
});

describe('CIFAR-100 binary parser', () => {
  const labels = [
    { coarse: 0, fine: 99 },
    { coarse: 19, fine: 0 },
    { coarse: 7, fine: 42 },
  ];

  it('reads coarse and fine labels and uses the fine ones as labels', () => {
    const parsed = parseCifarBinary(cifar100Records(labels), 'cifar100-binary', 'train.bin');
    expect(parsed.count).toBe(3);
    expect(Array.from(parsed.labels)).toEqual([99, 0, 42]);
    expect(Array.from(parsed.coarseLabels ?? [])).toEqual([0, 19, 7]);
    for (let record = 0; record < 3; record++) {
      for (const pixel of [0, 517, 1023]) {
        for (let channel = 0; channel < 3; channel++) {
          expect(parsed.images[record * IMAGE_BYTES + pixel * 3 + channel]).toBe((record * 7 + channel * 1024 + pixel) % 251);
        }
      }
    }
  });

  it('refuses a fine label >= 100 and a coarse label >= 20', () => {
    expect(() => parseCifarBinary(cifar100Records([{ coarse: 3, fine: 100 }]), 'cifar100-binary', 'test.bin')).toThrow(
      'test.bin: record 0 has fine label 100, but CIFAR-100 fine labels are 0..99',
    );
    expect(() => parseCifarBinary(cifar100Records([...labels, { coarse: 20, fine: 5 }]), 'cifar100-binary', 'test.bin')).toThrow(
      'test.bin: record 3 has coarse label 20, but CIFAR-100 coarse labels are 0..19',
    );
  });

  it('keeps coarse labels through concatenation and refuses to mix formats', () => {
    const part = parseCifarBinary(cifar100Records(labels), 'cifar100-binary', 'train.bin');
    const joined = concatLabeledImages([part, part]);
    expect(Array.from(joined.coarseLabels ?? [])).toEqual([0, 19, 7, 0, 19, 7]);
    const cifar10 = parseCifarBinary(readBatch('test_batch.bin'), 'cifar10-binary', 'test_batch.bin');
    expect(() => concatLabeledImages([part, cifar10])).toThrow(/only some parts have coarse labels/);
  });
});

describe('takeBalancedSubset', () => {
  /** Five images whose every byte is their own index, so a subset shows where each image came from. */
  const tagged: LabeledImages = {
    images: new Uint8Array(5 * IMAGE_BYTES).map((_, i) => Math.floor(i / IMAGE_BYTES)),
    side: 32,
    labels: Uint8Array.of(0, 0, 0, 0, 1),
    coarseLabels: Uint8Array.of(5, 6, 7, 8, 9),
    count: 5,
  };
  const sources = (subset: LabeledImages): number[] => Array.from({ length: subset.count }, (_, i) => subset.images[i * IMAGE_BYTES]!);

  it('balances the classes of a skewed prefix of the real data', () => {
    const batch = parseCifarBinary(readBatch('data_batch_1.bin'), 'cifar10-binary', 'data_batch_1.bin');
    const perClass = (data: LabeledImages) => Array.from({ length: 10 }, (_, c) => data.labels.filter((label) => label === c).length);
    expect(perClass({ ...batch, labels: batch.labels.subarray(0, 128) })).toEqual([8, 20, 17, 14, 11, 8, 12, 13, 7, 18]);
    expect(perClass(takeBalancedSubset(batch, 128, 10))).toEqual([13, 13, 13, 13, 13, 13, 13, 13, 12, 12]);
  });

  it('keeps the original order and tops up short classes with the next images', () => {
    const subset = takeBalancedSubset(tagged, 4, 2);
    expect(sources(subset)).toEqual([0, 1, 2, 4]);
    expect(Array.from(subset.labels)).toEqual([0, 0, 0, 1]);
    expect(Array.from(subset.coarseLabels ?? [])).toEqual([5, 6, 7, 9]);
  });

  it('returns everything when n covers the data, and refuses a bad n', () => {
    expect(takeBalancedSubset(tagged, 5, 2)).toBe(tagged);
    expect(takeBalancedSubset(tagged, 0, 2).count).toBe(0);
    expect(() => takeBalancedSubset(tagged, -1, 2)).toThrow(RangeError);
    expect(() => takeBalancedSubset(tagged, 2.5, 2)).toThrow(RangeError);
  });
});
