/** Learnable synthetic CIFAR-shaped images for Node tests: each class has its own colour, plus noise. */
import { keyedRng } from '../../src/core/random';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import type { LabeledImages } from '../../src/data/cifarBinary';
import type { RunData } from '../../src/training/run';

export function syntheticImages(count: number, seed: number, numClasses = 4): LabeledImages {
  const rng = keyedRng(seed, 'synthetic');
  const images = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % numClasses;
    labels[i] = label;
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) {
        const base = c === label % 3 ? 200 : label === 3 ? 120 : 40;
        images[i * 3072 + p * 3 + c] = Math.max(0, Math.min(255, base + rng.normal() * 30));
      }
    }
  }
  return { images, labels, count };
}

/** 32 training and 16 test synthetic images of 4 classes: the data of the Node run tests. */
export function tinyRunData(): RunData {
  return { train: syntheticImages(32, 1), test: syntheticImages(16, 2), normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, numClasses: 4 };
}

/** The smallest real run config: tiny CNNs, all 32 images in batches of 16, CPU backend. */
export function tinyRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_CONFIG, dataset: 'synthetic', teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: 2, teacherEpochs: 2, subset: 32, testSubset: 16, batch: 16, seed: 7, backend: 'cpu', ...overrides };
}
