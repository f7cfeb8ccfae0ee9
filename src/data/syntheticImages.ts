/**
 * Learnable synthetic square images (CIFAR's 32x32 unless asked): each class has its own colour, plus seeded
 * noise. The Node tests train on them, and the check page (check.html) feeds the same images to every
 * backend it compares.
 */
import { keyedRng } from '../core/random';
import { IMAGE_SIDE, imageBytes, type LabeledImages } from './cifarBinary';

export function syntheticImages(count: number, seed: number, numClasses = 4, side = IMAGE_SIDE): LabeledImages {
  const rng = keyedRng(seed, 'synthetic');
  const bytes = imageBytes(side);
  const images = new Uint8Array(count * bytes);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    labels[i] = label;
    for (let p = 0; p < side * side; p++) {
      for (let c = 0; c < 3; c++) {
        const base = c === label % 3 ? 200 : label === 3 ? 120 : 40;
        images[i * bytes + p * 3 + c] = Math.max(0, Math.min(255, base + rng.normal() * 30));
      }
    }
  }
  return { images, side, labels, count };
}
