/**
 * The geometry and pixel plumbing of the image-folder import that needs no canvas: the centred square a
 * picture is cropped to (so a class's photos are not squashed), and RGBA to the RGB the datasets hold.
 * Pure, DOM-free.
 */

export interface SquareCrop {
  readonly x: number;
  readonly y: number;
  readonly side: number;
}

/** The largest centred square of a `width x height` picture. */
export function centreSquare(width: number, height: number): SquareCrop {
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side };
}

/** Drops the alpha channel of opaque RGBA pixels (the canvas composites transparency over white first). */
export function rgbaToRgb(rgba: ArrayLike<number>): Uint8Array {
  const pixels = Math.floor(rgba.length / 4);
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    rgb[p * 3] = rgba[p * 4]!;
    rgb[p * 3 + 1] = rgba[p * 4 + 1]!;
    rgb[p * 3 + 2] = rgba[p * 4 + 2]!;
  }
  return rgb;
}
