import type { LabeledImages } from '../../src/data/cifarBinary';

/** `count` square images (CIFAR's 32x32 unless asked) of fixed pseudo-random pixels and cycling labels: speed does not depend on content. */
export function randomImages(count: number, side = 32): LabeledImages & { readonly count: number } {
  const images = new Uint8Array(count * side * side * 3);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  return { images, side, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count };
}
