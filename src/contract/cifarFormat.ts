/**
 * What a CIFAR binary dataset is, as the page and the worker both need it: the image size, the two official
 * record layouts, and the error a file that breaks them raises. The decoding itself is in data/cifarBinary.ts.
 */

/** CIFAR's image side, and the default everywhere a dataset does not say otherwise. */
export const IMAGE_SIDE = 32;
export const IMAGE_CHANNELS = 3;
/** Bytes of one CIFAR image: the pixel part of a record. */
export const IMAGE_BYTES = IMAGE_SIDE * IMAGE_SIDE * IMAGE_CHANNELS;

/** Sides an image-folder import resizes to: CIFAR's 32, or 64 where a picture's detail matters (4x the memory and compute). */
export const IMAGE_FOLDER_SIDES = [32, 64] as const;
export type ImageFolderSide = (typeof IMAGE_FOLDER_SIDES)[number];

export function isImageFolderSide(value: unknown): value is ImageFolderSide {
  return IMAGE_FOLDER_SIDES.includes(value as ImageFolderSide);
}

/** Bytes of one NHWC RGB image of `side x side` pixels. */
export function imageBytes(side: number): number {
  return side * side * IMAGE_CHANNELS;
}

export interface CifarLayout {
  /** Human name used in messages. */
  readonly title: string;
  /** Label bytes at the start of each record (CIFAR-100: coarse, then fine). */
  readonly labelBytes: number;
  readonly recordBytes: number;
  readonly numClasses: number;
  /** Superclasses (CIFAR-100 only); 0 when the format has none. */
  readonly numCoarseClasses: number;
  /**
   * The largest official file (a CIFAR-10 batch, CIFAR-100 train.bin). Anything bigger is refused before
   * it is allocated: it is not a CIFAR file, and a bogus size must not exhaust a browser tab's memory.
   */
  readonly maxRecordsPerFile: number;
}

export const CIFAR_LAYOUTS = {
  'cifar10-binary': {
    title: 'CIFAR-10',
    labelBytes: 1,
    recordBytes: 1 + IMAGE_BYTES,
    numClasses: 10,
    numCoarseClasses: 0,
    maxRecordsPerFile: 10_000,
  },
  'cifar100-binary': {
    title: 'CIFAR-100',
    labelBytes: 2,
    recordBytes: 2 + IMAGE_BYTES,
    numClasses: 100,
    numCoarseClasses: 20,
    maxRecordsPerFile: 50_000,
  },
} as const satisfies Record<string, CifarLayout>;

/** The manifest's `format` field. */
export type CifarFormat = keyof typeof CIFAR_LAYOUTS;

export function isCifarFormat(value: unknown): value is CifarFormat {
  return typeof value === 'string' && Object.hasOwn(CIFAR_LAYOUTS, value);
}

/**
 * A dataset imported from the user's own class folders (data/imageFolderImport.ts): RGB images decoded and
 * resized in the browser to one of IMAGE_FOLDER_SIDES, one label byte each, any number of classes up to 100.
 */
export const IMAGE_FOLDER_FORMAT = 'image-folder';

/** The manifest's `format` field: an official CIFAR layout, or images imported from folders. */
export type DatasetFormat = CifarFormat | typeof IMAGE_FOLDER_FORMAT;

/** The bytes of a dataset file (or its manifest) are not what the format promises. */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';

  constructor(
    /** The file at fault, as the user would recognise it (e.g. `test_batch.bin`). */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
