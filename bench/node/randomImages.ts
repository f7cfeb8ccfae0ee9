import type { LabeledImages } from '../../src/data/cifarBinary';

/** `count` CIFAR-shaped images of fixed pseudo-random pixels and cycling labels: speed does not depend on content. */
export function randomImages(count: number): LabeledImages & { readonly count: number } {
  const images = new Uint8Array(count * 3072);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  return { images, side: 32, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count };
}
