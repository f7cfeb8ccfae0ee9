/**
 * The user's own picture, made into what the models see: an opaque RGBA image of the run's image side
 * (32x32 for CIFAR), centre-cropped to a square and drawn down with smoothing (halving steps first, so large
 * photos do not alias). Transparent pixels are put on white. Rejects with a readable message for an empty,
 * non-image or undecodable file.
 */
/** The largest centred square of a width × height image. */
export function centreSquare(width: number, height: number): { sx: number; sy: number; side: number } {
  const side = Math.min(width, height);
  return { sx: Math.floor((width - side) / 2), sy: Math.floor((height - side) / 2), side };
}

const nameOf = (file: Blob): string => ('name' in file && typeof file.name === 'string' && file.name ? `“${file.name}”` : 'This file');

/** Why a file cannot be a picture before decoding it, or null when it may be one. */
export function pictureFileProblem(file: Blob): string | null {
  if (file.size === 0) return `${nameOf(file)} is empty. Choose a PNG, JPEG, WebP or GIF picture.`;
  if (file.type && !file.type.startsWith('image/')) return `${nameOf(file)} is not an image (${file.type}). Choose a PNG, JPEG, WebP or GIF picture.`;
  return null;
}

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function makeCanvas(size: number): { canvas: OffscreenCanvas | HTMLCanvasElement; ctx: Context2D } {
  const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(size, size) : Object.assign(document.createElement('canvas'), { width: size, height: size });
  const ctx = canvas.getContext('2d') as Context2D | null;
  if (!ctx) throw new Error('This browser cannot draw the picture (no 2D canvas).');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  return { canvas, ctx };
}

/** `file` as `size x size` opaque RGBA. */
export async function pictureToRgba(file: Blob, size: number): Promise<Uint8ClampedArray> {
  const problem = pictureFileProblem(file);
  if (problem) throw new Error(problem);
  if (typeof createImageBitmap !== 'function') throw new Error('This browser cannot decode pictures here.');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${nameOf(file)} could not be read as an image: it may be corrupt, or in a format this browser cannot open.`);
  }
  try {
    if (bitmap.width === 0 || bitmap.height === 0) throw new Error(`${nameOf(file)} has no pixels.`);
    let { sx, sy, side } = centreSquare(bitmap.width, bitmap.height);
    let source: CanvasImageSource = bitmap;
    while (side > 2 * size) {
      const half = Math.floor(side / 2);
      const step = makeCanvas(half);
      step.ctx.drawImage(source, sx, sy, side, side, 0, 0, half, half);
      source = step.canvas;
      sx = 0;
      sy = 0;
      side = half;
    }
    const { ctx } = makeCanvas(size);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(source, sx, sy, side, side, 0, 0, size, size);
    const rgba = ctx.getImageData(0, 0, size, size).data;
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    return new Uint8ClampedArray(rgba);
  } finally {
    bitmap.close();
  }
}
