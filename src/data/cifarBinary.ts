/**
 * Parsers for the official CIFAR-10 and CIFAR-100 binary formats.
 *
 * A file is a run of fixed-size records: the label byte(s), then 3072 pixel bytes stored planar (1024 red,
 * 1024 green, 1024 blue, each a row-major 32x32 plane). Models take NHWC input, so the channels are
 * interleaved once here instead of transposing a tensor on every batch.
 *
 * Pure and DOM-free: the training worker, the Node tests and the in-page archive import all use it.
 */

import { CIFAR_LAYOUTS, DatasetFormatError, IMAGE_BYTES, IMAGE_CHANNELS, IMAGE_SIDE, imageBytes, type CifarFormat } from '../contract/cifarFormat';

// The format's description lives in the contract (the page validates manifests with it); re-exported for the engine.
export { CIFAR_LAYOUTS, DatasetFormatError, IMAGE_BYTES, IMAGE_CHANNELS, IMAGE_SIDE, imageBytes, isCifarFormat, type CifarFormat, type CifarLayout } from '../contract/cifarFormat';

const PLANE_BYTES = IMAGE_SIDE * IMAGE_SIDE;

/** Decoded images with their labels, ready to become tensors. */
export interface LabeledImages {
  /** `count * side * side * 3` bytes: NHWC, RGB interleaved, 0..255. */
  readonly images: Uint8Array;
  /** Width and height of every image (CIFAR: 32). */
  readonly side: number;
  /** One class index per image (CIFAR-100: the fine label). */
  readonly labels: Uint8Array;
  /** CIFAR-100 only: one superclass index per image. */
  readonly coarseLabels?: Uint8Array;
  readonly count: number;
}

/** Number of records in a file of `byteLength` bytes; throws unless it is a whole, plausible number. */
export function countRecords(byteLength: number, format: CifarFormat, file: string): number {
  const { recordBytes, title, maxRecordsPerFile } = CIFAR_LAYOUTS[format];
  const expected = `${recordBytes}-byte ${title} records expected`;
  if (byteLength === 0) throw new DatasetFormatError(file, `${expected}, but the file is empty`);
  const leftover = byteLength % recordBytes;
  if (leftover !== 0) {
    const whole = Math.floor(byteLength / recordBytes);
    const why =
      whole === 0 ? 'truncated?' : `${whole} whole records and ${leftover} bytes left over: truncated, or not a ${title} file?`;
    throw new DatasetFormatError(file, `${expected}, but the file is ${byteLength} bytes (${why})`);
  }
  const count = byteLength / recordBytes;
  if (count > maxRecordsPerFile) {
    throw new DatasetFormatError(
      file,
      `${count} records, more than any official ${title} file holds (${maxRecordsPerFile}); refusing it`,
    );
  }
  return count;
}

function allocate(count: number, side: number, withCoarse: boolean): LabeledImages {
  return {
    images: new Uint8Array(count * imageBytes(side)),
    side,
    labels: new Uint8Array(count),
    ...(withCoarse ? { coarseLabels: new Uint8Array(count) } : {}),
    count,
  };
}

/** Zeroed storage for `count` images of `format`, to be filled by `decodeCifarInto`. */
export function createLabeledImages(count: number, format: CifarFormat): LabeledImages {
  return allocate(count, IMAGE_SIDE, CIFAR_LAYOUTS[format].numCoarseClasses > 0);
}

/** Zeroed storage for `count` images of `side x side` pixels with one label each (an image-folder dataset). */
export function createFolderImages(count: number, side: number): LabeledImages {
  return allocate(count, side, false);
}

/**
 * Decodes every record of one file into `target`, starting at image `offset`; returns the record count.
 *
 * Decoding in place lets a loader allocate a whole split once and drop each shard's raw bytes as soon as
 * they are decoded, instead of holding the shards, their parses and a concatenation at the same time.
 */
export function decodeCifarInto(
  target: LabeledImages,
  offset: number,
  bytes: Uint8Array,
  format: CifarFormat,
  file: string,
): number {
  const layout = CIFAR_LAYOUTS[format];
  const count = countRecords(bytes.length, format, file);
  if (offset + count > target.count) {
    throw new DatasetFormatError(file, `holds ${count} records, but only ${target.count - offset} were expected`);
  }
  const coarse = layout.numCoarseClasses > 0 ? target.coarseLabels : undefined;
  if (layout.numCoarseClasses > 0 && !coarse) throw new Error(`${layout.title} needs storage for coarse labels`);
  if (target.side !== IMAGE_SIDE) throw new Error(`${layout.title} images are ${IMAGE_SIDE}x${IMAGE_SIDE}, not ${target.side}x${target.side}`);
  const label = (value: number, classes: number, kind: string, record: number): number => {
    if (value < classes) return value;
    throw new DatasetFormatError(
      file,
      `record ${record} has ${kind} ${value}, but ${layout.title} ${kind}s are 0..${classes - 1} ` +
        '(wrong format or corrupt file?)',
    );
  };

  for (let record = 0; record < count; record++) {
    const start = record * layout.recordBytes;
    const index = offset + record;
    const fine = bytes[start + layout.labelBytes - 1]!;
    if (coarse) coarse[index] = label(bytes[start]!, layout.numCoarseClasses, 'coarse label', record);
    target.labels[index] = label(fine, layout.numClasses, coarse ? 'fine label' : 'label', record);

    const red = start + layout.labelBytes;
    const out = index * IMAGE_BYTES;
    for (let pixel = 0; pixel < PLANE_BYTES; pixel++) {
      const at = out + pixel * IMAGE_CHANNELS;
      target.images[at] = bytes[red + pixel]!;
      target.images[at + 1] = bytes[red + PLANE_BYTES + pixel]!;
      target.images[at + 2] = bytes[red + 2 * PLANE_BYTES + pixel]!;
    }
  }
  return count;
}

/** Parses one whole file (e.g. `data_batch_1.bin`, `test.bin`). `file` names it in error messages. */
export function parseCifarBinary(bytes: Uint8Array, format: CifarFormat, file: string): LabeledImages {
  const out = createLabeledImages(countRecords(bytes.length, format, file), format);
  decodeCifarInto(out, 0, bytes, format, file);
  return out;
}

/** Joins parsed shards in order (e.g. the five CIFAR-10 training batches). */
export function concatLabeledImages(parts: readonly LabeledImages[]): LabeledImages {
  const withCoarse = parts.length > 0 && parts.every((part) => part.coarseLabels);
  if (!withCoarse && parts.some((part) => part.coarseLabels)) {
    throw new Error('Cannot concatenate CIFAR-10 and CIFAR-100 images: only some parts have coarse labels');
  }
  const side = parts[0]?.side ?? IMAGE_SIDE;
  if (parts.some((part) => part.side !== side)) throw new Error('Cannot concatenate images of different sizes');
  const bytes = imageBytes(side);
  const out = allocate(
    parts.reduce((sum, part) => sum + part.count, 0),
    side,
    withCoarse,
  );
  let offset = 0;
  for (const part of parts) {
    out.images.set(part.images.subarray(0, part.count * bytes), offset * bytes);
    out.labels.set(part.labels.subarray(0, part.count), offset);
    if (part.coarseLabels) out.coarseLabels?.set(part.coarseLabels.subarray(0, part.count), offset);
    offset += part.count;
  }
  return out;
}

/**
 * The first `n` images with classes as even as the data allows, kept in their original order.
 *
 * Balanced rather than a plain prefix: demos train on a hundred or so images, and a prefix can be badly
 * skewed (the first 128 images of CIFAR-10's data_batch_1 hold 20 automobiles but only 7 ships), which
 * would move accuracy and calibration for reasons unrelated to distillation. A prefix rather than a random
 * sample: the same `subset` value selects the same images in every run on every machine without a seed,
 * and shuffling stays the training loop's job. Classes short of their quota are topped up with the next
 * images of any class, so the result always has `min(n, count)` images.
 */
export function takeBalancedSubset(data: LabeledImages, n: number, numClasses: number): LabeledImages {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Subset size must be a whole number >= 0, got ${n}`);
  if (n >= data.count) return data;

  const quota = Array.from({ length: numClasses }, (_, c) => Math.floor(n / numClasses) + (c < n % numClasses ? 1 : 0));
  const chosen = new Uint8Array(data.count);
  let taken = 0;
  for (let i = 0; i < data.count && taken < n; i++) {
    const label = data.labels[i]!;
    if ((quota[label] ?? 0) > 0) {
      quota[label]!--;
      chosen[i] = 1;
      taken++;
    }
  }
  for (let i = 0; i < data.count && taken < n; i++) {
    if (!chosen[i]) {
      chosen[i] = 1;
      taken++;
    }
  }

  const indices: number[] = [];
  for (let i = 0; i < data.count; i++) if (chosen[i]) indices.push(i);
  return selectImages(data, indices);
}

/** The images at `indices` (in that order), copied into their own storage. */
export function selectImages(data: LabeledImages, indices: ArrayLike<number>): LabeledImages {
  const coarse = data.coarseLabels;
  const out = allocate(indices.length, data.side, coarse !== undefined);
  const bytes = imageBytes(data.side);
  for (let next = 0; next < indices.length; next++) {
    const i = indices[next]!;
    if (!Number.isInteger(i) || i < 0 || i >= data.count) throw new RangeError(`image ${i} is not in a set of ${data.count}`);
    out.images.set(data.images.subarray(i * bytes, (i + 1) * bytes), next * bytes);
    out.labels[next] = data.labels[i]!;
    if (coarse && out.coarseLabels) out.coarseLabels[next] = coarse[i]!;
  }
  return out;
}

/** Splits a set into the images not listed in `heldOut` and those listed, each in its original order. */
export function splitImages(data: LabeledImages, heldOut: ArrayLike<number>): { kept: LabeledImages; held: LabeledImages } {
  const isHeld = new Uint8Array(data.count);
  for (let k = 0; k < heldOut.length; k++) isHeld[heldOut[k]!] = 1;
  const kept: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < data.count; i++) (isHeld[i] ? held : kept).push(i);
  return { kept: selectImages(data, kept), held: selectImages(data, held) };
}
