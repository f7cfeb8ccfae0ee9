/** Synthetic data for Node tests: the images come from src (the check page uses them too). */
import { syntheticImages } from '../../src/data/syntheticImages';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import type { RunData } from '../../src/training/run';

export { syntheticImages };

/** 32 training and 16 test synthetic images of 4 classes (32x32 unless asked): the data of the Node run tests. */
export function tinyRunData(side = 32): RunData {
  return { train: syntheticImages(32, 1, 4, side), test: syntheticImages(16, 2, 4, side), normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, numClasses: 4 };
}

/** The smallest real run config: tiny CNNs, all 32 images in batches of 16, CPU backend. */
export function tinyRunConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_CONFIG, dataset: 'synthetic', teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: 2, teacherEpochs: 2, subset: 32, testSubset: 16, batch: 16, seed: 7, backend: 'cpu', ...overrides };
}
