/** Small image helpers shared by panels (DOM, page side). */

/** A PNG data URL of image `index` of a batch of size×size RGBA images (for hover previews and thumbnails). */
export function rgbaDataUrl(rgba: Uint8ClampedArray, index: number, size = 32): string | null {
  const bytes = size * size * 4;
  if (index < 0 || (index + 1) * bytes > rgba.length) return null;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.putImageData(new ImageData(rgba.slice(index * bytes, (index + 1) * bytes), size, size), 0, 0);
  return canvas.toDataURL('image/png');
}
