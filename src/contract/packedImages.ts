/**
 * The packed layout of an image-folder dataset's decoded pictures: what the training worker keeps in IndexedDB
 * (data/packedDataset.ts) and what the PyTorch export carries as `data/images.dstpack` (read by
 * python/distillery_torch/packed_images.py):
 *
 *   8 bytes  "DSTPACK1"
 *   4 bytes  manifest JSON length (little-endian)
 *   JSON     the DatasetManifest
 *   then     train images (count x side x side x 3, HWC; side is the manifest's imageSide, 32 when absent),
 *            train labels (count), test images, test labels
 *
 * Pure, DOM-free and tfjs-free: both sides read its header.
 */
import { IMAGE_FOLDER_FORMAT, imageBytes, isImageFolderSide } from './cifarFormat';
import { manifestImageSide, type DatasetManifest } from './datasetManifest';

export const PACKED_IMAGES_MAGIC = 'DSTPACK1';

/** The manifest at the head of a packed dataset, and where the pixels start; throws `damaged(why)`. */
export function readPackedManifest(bytes: Uint8Array, damaged: (why: string) => Error): { manifest: DatasetManifest; pixelsAt: number } {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== PACKED_IMAGES_MAGIC) throw damaged('unknown format');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + jsonLength))) as DatasetManifest;
  } catch {
    throw damaged('unreadable description');
  }
  if (manifest.format !== IMAGE_FOLDER_FORMAT || !Array.isArray(manifest.classNames)) throw damaged('not an image-folder dataset');
  const counts = [manifest.train?.count, manifest.test?.count];
  if (!counts.every((count) => Number.isSafeInteger(count) && count! >= 0)) throw damaged('no image counts');
  // Absent means 32 (packs made before 64 was offered); anything else must be a size an import makes.
  if (manifest.imageSide !== undefined && !isImageFolderSide(manifest.imageSide)) throw damaged(`an image side of ${JSON.stringify(manifest.imageSide)}`);
  const pixelsAt = 12 + jsonLength;
  const expected = pixelsAt + (manifest.train.count + manifest.test.count) * (imageBytes(manifestImageSide(manifest)) + 1);
  if (bytes.length !== expected) throw damaged(`${bytes.length} bytes where ${expected} were expected`);
  return { manifest, pixelsAt };
}

