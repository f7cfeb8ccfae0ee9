/**
 * Imports a folder (or zip) of class folders as a dataset: plans it (imageFolderLayout.ts), reads each image,
 * checks its header against the pixel cap before decoding, decodes, centre-crops and resizes it to the chosen
 * side (32 by default, or 64) through the decoder it is given (the worker's uses createImageBitmap and
 * OffscreenCanvas), splits it when the source has no test folder, and computes the per-channel statistics. An image that fails is named and
 * left out; the rest is imported. Pure apart from the decoder: Node tests pass their own.
 */
import { createFolderImages, imageBytes, IMAGE_SIDE, type LabeledImages } from './cifarBinary';
import type { LoadedDataset } from './datasetLoader';
import { readImageHeader, type ImageHeader } from './imageHeaders';
import { count, IMAGE_FOLDER_LIMITS, ImageFolderImportError, listNames, planImageFolder, type ImageFolderLimits, type PlannedClass, type SourceEntry } from './imageFolderLayout';
import { keyedRng, permutation } from '../core/random';
import { channelStatistics } from '../core/channelStatistics';
import { IMAGE_FOLDER_FORMAT, type ImageFolderSide } from '../contract/cifarFormat';
import type { DatasetManifest } from '../contract/datasetManifest';

export { ImageFolderImportError };

/** Decodes one image (its header already checked) to `side x side` RGB, NHWC, centre-cropped. */
export type ImageDecoder = (bytes: Uint8Array, header: ImageHeader, side: number) => Promise<Uint8Array>;

export interface ImageFolderProgress {
  /** Bytes of the images read so far (as declared), and of all the planned images. */
  readonly loadedBytes: number;
  readonly totalBytes: number;
  readonly file: string;
}

export interface ImageFolderImportOptions {
  /** The dropped folder's or the zip's name: names the dataset. */
  readonly sourceName: string;
  readonly decode: ImageDecoder;
  readonly onProgress?: (progress: ImageFolderProgress) => void;
  readonly signal?: AbortSignal;
  readonly limits?: ImageFolderLimits;
  /** Seeds the split made when the source has no test folder. */
  readonly splitSeed?: number;
  /** Width and height the pictures are resized to; CIFAR's 32 when not given. */
  readonly side?: ImageFolderSide;
}

export interface ImageFolderImport {
  readonly dataset: LoadedDataset;
  /** What was left out and why, and how the test images were chosen; shown to the user. */
  readonly notes: readonly string[];
}

/** Share of each class held out for testing when the source has no test folder. */
export const HELD_OUT_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 1;
/** Dataset names for imported folders start with this (see storage/archiveCache.ts's IMPORTED_PREFIX). */
export const IMAGE_FOLDER_PREFIX = 'imported-images-';

/** Decoded images of one class, in path order. */
type DecodedClass = { readonly name: string; readonly train: Uint8Array[]; readonly test: Uint8Array[] };

export async function importImageFolder(entries: readonly SourceEntry[], options: ImageFolderImportOptions): Promise<ImageFolderImport> {
  const limits = options.limits ?? IMAGE_FOLDER_LIMITS;
  const side = options.side ?? IMAGE_SIDE;
  const plan = planImageFolder(entries, limits);
  const notes = [...plan.notes];
  const reader = new ImageReader(options, limits, side, plan.classes);
  const decoded: DecodedClass[] = [];
  for (const planned of plan.classes) {
    decoded.push({ name: planned.name, train: await reader.readAll(planned.train), test: await reader.readAll(planned.test) });
  }
  if (reader.failures.length > 0) {
    notes.push(`${count(reader.failures.length, 'image')} could not be used and ${reader.failures.length > 1 ? 'were' : 'was'} skipped: ${listNames(reader.failures)}.`);
  }
  const seed = options.splitSeed ?? DEFAULT_SPLIT_SEED;
  const classes = usable(decoded, plan.testFolder !== null, notes);
  const { train, test } = plan.testFolder === null ? heldOutSplit(classes, seed, side) : folderSplit(classes, side);
  notes.push(
    plan.testFolder === null
      ? `No test/ or val/ folder: ${Math.round(HELD_OUT_FRACTION * 100)}% of each class (seed ${seed}) is held out for testing, the same images at every import.`
      : `The test images are the ones in ${plan.testFolder}/.`,
  );
  const name = datasetName(options.sourceName, side);
  const classNames = classes.map((c) => c.name);
  const manifest: DatasetManifest = {
    name,
    title: `${options.sourceName} (your images, ${side === IMAGE_SIDE ? '' : `${side}x${side}, `}${classNames.length} classes, ${train.count} train / ${test.count} test)`,
    format: IMAGE_FOLDER_FORMAT,
    classNames,
    train: { count: train.count, shards: [] },
    test: { count: test.count, shards: [] },
    ...channelStatistics(train.images),
    source: `image folder ${options.sourceName}, centre-cropped and resized to ${side}x${side}`,
    imageSide: side,
  };
  return { dataset: { manifest, train, test }, notes };
}

/**
 * The `dataset` URL parameter for a source: `imported-images-` and its name as a lowercase id, with `-64px`
 * for pictures larger than CIFAR's, so one folder imported at both sizes is two datasets.
 */
export function datasetName(sourceName: string, side: number = IMAGE_SIDE): string {
  const stem = sourceName.replace(/\.zip$/i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `${IMAGE_FOLDER_PREFIX}${stem.slice(0, 48) || 'dataset'}${side === IMAGE_SIDE ? '' : `-${side}px`}`;
}

/** Reads, checks and decodes images one by one, noting each failure and reporting progress. */
class ImageReader {
  readonly failures: string[] = [];
  #loadedBytes = 0;
  readonly #totalBytes: number;

  constructor(
    private readonly options: ImageFolderImportOptions,
    private readonly limits: ImageFolderLimits,
    private readonly side: number,
    classes: readonly PlannedClass[],
  ) {
    this.#totalBytes = classes.reduce((sum, c) => sum + [...c.train, ...c.test].reduce((s, e) => s + e.size, 0), 0);
  }

  async readAll(entries: readonly SourceEntry[]): Promise<Uint8Array[]> {
    const images: Uint8Array[] = [];
    for (const entry of entries) {
      this.options.signal?.throwIfAborted();
      const image = await this.#readOne(entry).catch((error: unknown) => {
        this.failures.push(`${entry.path} (${error instanceof Error ? error.message : String(error)})`);
        return null;
      });
      if (image) images.push(image);
      this.#loadedBytes += entry.size;
      this.options.onProgress?.({ loadedBytes: this.#loadedBytes, totalBytes: this.#totalBytes, file: entry.path });
    }
    return images;
  }

  async #readOne(entry: SourceEntry): Promise<Uint8Array> {
    const { maxImageBytes, maxPixels } = this.limits;
    if (entry.size > maxImageBytes) throw new Error(`${mib(entry.size)} MiB, more than the ${mib(maxImageBytes)} MiB allowed for one image`);
    const bytes = await entry.read();
    if (bytes.length > maxImageBytes) throw new Error(`more than the ${mib(maxImageBytes)} MiB allowed for one image`);
    const header = readImageHeader(bytes);
    if ('problem' in header) throw new Error(header.problem);
    if (header.width * header.height > maxPixels) {
      throw new Error(`${header.width}x${header.height} pixels, more than the ${maxPixels / 1e6} megapixels allowed for one image`);
    }
    try {
      const rgb = await this.options.decode(bytes, header, this.side);
      if (rgb.length !== imageBytes(this.side)) throw new Error(`the decoder gave ${rgb.length} bytes, not ${imageBytes(this.side)}`);
      return rgb;
    } catch {
      // The browser's own reason ("The source image could not be decoded.") adds nothing a person can act on.
      throw new Error(`a damaged ${header.kind.toUpperCase()}: the browser could not decode it`);
    }
  }
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Classes left with too few readable images are dropped (named); fewer than two classes refuses the import. */
function usable(classes: readonly DecodedClass[], hasTestFolder: boolean, notes: string[]): DecodedClass[] {
  const minimum = hasTestFolder ? 1 : 2;
  const kept = classes.filter((c) => c.train.length >= minimum);
  const dropped = classes.filter((c) => c.train.length < minimum).map((c) => `${c.name}/`);
  if (dropped.length > 0) notes.push(`${count(dropped.length, 'class')} had too few readable images left and ${dropped.length > 1 ? 'were' : 'was'} skipped: ${listNames(dropped)}.`);
  if (kept.length < 2) throw new ImageFolderImportError(`Fewer than two classes have readable images${dropped.length > 0 ? ` (${listNames(dropped)} had too few)` : ''}: nothing was imported.`);
  return kept;
}

function folderSplit(classes: readonly DecodedClass[], side: number): { train: LabeledImages; test: LabeledImages } {
  return { train: pack(classes.map((c) => c.train), side), test: pack(classes.map((c) => c.test), side) };
}

/** Per class, a seeded permutation; its first 20% (at least one, leaving one) is the test set. */
function heldOutSplit(classes: readonly DecodedClass[], seed: number, side: number): { train: LabeledImages; test: LabeledImages } {
  const train: Uint8Array[][] = [];
  const test: Uint8Array[][] = [];
  classes.forEach((c, label) => {
    const order = permutation(c.train.length, keyedRng(seed, 'image-folder-split', label));
    const held = Math.min(c.train.length - 1, Math.max(1, Math.round(c.train.length * HELD_OUT_FRACTION)));
    const isHeld = new Uint8Array(c.train.length);
    for (let k = 0; k < held; k++) isHeld[order[k]!] = 1;
    train.push(c.train.filter((_, i) => !isHeld[i]));
    test.push(c.train.filter((_, i) => isHeld[i]));
  });
  return { train: pack(train, side), test: pack(test, side) };
}

/** One image list per class (the label is the index) into one NHWC buffer. */
function pack(byClass: readonly (readonly Uint8Array[])[], side: number): LabeledImages {
  const out = createFolderImages(byClass.reduce((sum, list) => sum + list.length, 0), side);
  let at = 0;
  byClass.forEach((list, label) => {
    for (const image of list) {
      out.images.set(image, at * imageBytes(side));
      out.labels[at++] = label;
    }
  });
  return out;
}
