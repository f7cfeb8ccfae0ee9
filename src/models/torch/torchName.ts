/** The BatchNorm part of the ResNet50 and ShuffleNet name maps (the other families use `rules.ts`). */
import type { TorchTarget } from './names';

const BATCH_NORM_PARTS: Readonly<Record<string, string>> = {
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVariance: 'running_var',
};

/** `module.part` for a local BatchNorm part (gamma, beta, runningMean, runningVariance); null for another part. */
export function batchNormTorchName(module: string, part: string): TorchTarget | null {
  const torchPart = BATCH_NORM_PARTS[part];
  return torchPart ? { torch: `${module}.${torchPart}`, layout: 'vector' } : null;
}
