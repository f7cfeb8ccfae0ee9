/**
 * A decoded dataset as one Blob, to keep in IndexedDB: an image-folder import is the result of decoding and
 * resizing thousands of pictures, so its decoded pixels are stored rather than the source (which the browser
 * cannot open again after a reload anyway: a dropped folder is gone). The layout is
 * contract/packedImages.ts (the PyTorch export carries the same bytes).
 *
 * Read back with every length checked against the manifest. Pure, DOM-free.
 */
import { imageBytes, type LabeledImages } from './cifarBinary';
import type { LoadedDataset } from './datasetLoader';
import { manifestImageSide } from '../contract/datasetManifest';
import { PACKED_IMAGES_MAGIC, readPackedManifest } from '../contract/packedImages';

export function packDataset({ manifest, train, test }: LoadedDataset): Blob {
  if ([train, test].some((set) => set.side !== manifestImageSide(manifest))) throw new Error(`${manifest.name}: images of another size than its description says`);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const head = new Uint8Array(12);
  head.set(new TextEncoder().encode(PACKED_IMAGES_MAGIC));
  new DataView(head.buffer).setUint32(8, json.length, true);
  const parts = (set: LabeledImages) => [set.images.slice(0, set.count * imageBytes(set.side)), set.labels.slice(0, set.count)];
  return new Blob([head, json, ...parts(train), ...parts(test)]);
}

export async function unpackDataset(blob: Blob, name: string): Promise<LoadedDataset> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const damaged = (why: string) => new Error(`the stored copy of ${name} is damaged (${why}); import the images again.`);
  const { manifest, pixelsAt } = readPackedManifest(bytes, damaged);
  const side = manifestImageSide(manifest);
  let at = pixelsAt;
  const take = (length: number) => bytes.slice(at, (at += length));
  const set = (count: number): LabeledImages => ({ images: take(count * imageBytes(side)), side, labels: take(count), count });
  const train = set(manifest.train.count);
  const test = set(manifest.test.count);
  const classes = manifest.classNames.length;
  if ([train, test].some((it) => it.labels.some((label) => label >= classes))) throw damaged(`a label outside its ${classes} classes`);
  return { manifest, train, test };
}
