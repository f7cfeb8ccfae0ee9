/**
 * A decoded dataset as one Blob, to keep in IndexedDB: an image-folder import is the result of decoding and
 * resizing thousands of pictures, so its 32x32 pixels are stored rather than the source (which the browser
 * cannot open again after a reload anyway: a dropped folder is gone). Layout:
 *
 *   8 bytes  "DSTPACK1"
 *   4 bytes  manifest JSON length (little-endian)
 *   JSON     the DatasetManifest
 *   then     train images (count x 3072), train labels (count), test images, test labels
 *
 * Read back with every length checked against the manifest. Pure, DOM-free.
 */
import { IMAGE_BYTES, type LabeledImages } from './cifarBinary';
import type { LoadedDataset } from './datasetLoader';
import { IMAGE_FOLDER_FORMAT } from '../contract/cifarFormat';
import type { DatasetManifest } from '../contract/datasetManifest';

const MAGIC = 'DSTPACK1';

export function packDataset({ manifest, train, test }: LoadedDataset): Blob {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const head = new Uint8Array(12);
  head.set(new TextEncoder().encode(MAGIC));
  new DataView(head.buffer).setUint32(8, json.length, true);
  const parts = (set: LabeledImages) => [set.images.slice(0, set.count * IMAGE_BYTES), set.labels.slice(0, set.count)];
  return new Blob([head, json, ...parts(train), ...parts(test)]);
}

/** The manifest at the head of a packed dataset, and where the pixels start; throws `damaged(why)`. */
export function readPackedManifest(bytes: Uint8Array, damaged: (why: string) => Error): { manifest: DatasetManifest; pixelsAt: number } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw damaged('unknown format');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as DatasetManifest;
  } catch {
    throw damaged('unreadable description');
  }
  if (manifest.format !== IMAGE_FOLDER_FORMAT || !Array.isArray(manifest.classNames)) throw damaged('not an image-folder dataset');
  const pixelsAt = 12 + jsonLength;
  const expected = pixelsAt + (manifest.train.count + manifest.test.count) * (IMAGE_BYTES + 1);
  if (bytes.length !== expected) throw damaged(`${bytes.length} bytes where ${expected} were expected`);
  return { manifest, pixelsAt };
}

export async function unpackDataset(blob: Blob, name: string): Promise<LoadedDataset> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const damaged = (why: string) => new Error(`the stored copy of ${name} is damaged (${why}); import the images again.`);
  const { manifest, pixelsAt } = readPackedManifest(bytes, damaged);
  let at = pixelsAt;
  const take = (length: number) => bytes.slice(at, (at += length));
  const set = (count: number): LabeledImages => ({ images: take(count * IMAGE_BYTES), labels: take(count), count });
  const train = set(manifest.train.count);
  const test = set(manifest.test.count);
  const classes = manifest.classNames.length;
  if ([train, test].some((it) => it.labels.some((label) => label >= classes))) throw damaged(`a label outside its ${classes} classes`);
  return { manifest, train, test };
}
