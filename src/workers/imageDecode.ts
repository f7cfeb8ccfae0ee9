/**
 * The image-folder import's decoder in the training worker: the browser's own decoders (createImageBitmap:
 * PNG, JPEG, WebP), a centred square crop, and a high-quality resize on an OffscreenCanvas. Transparent
 * pixels are composited over white, as a picture viewer shows them.
 */
import type { ImageDecoder } from '../data/imageFolderImport';
import { centreSquare, rgbaToRgb } from '../data/centreCrop';

export const decodeInWorker: ImageDecoder = async (bytes, header, side) => {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: `image/${header.kind}` }));
  try {
    const crop = centreSquare(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(side, side);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser gives workers no 2D canvas');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, side, side);
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, crop.x, crop.y, crop.side, crop.side, 0, 0, side, side);
    return rgbaToRgb(context.getImageData(0, 0, side, side).data);
  } finally {
    bitmap.close();
  }
};
