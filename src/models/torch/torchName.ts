/** A local variable's PyTorch state_dict name and the layout that converts between the two. */
export type TorchLayout = 'conv2d' | 'depthwise' | 'dense' | 'vector';

export interface TorchName {
  readonly torch: string;
  readonly layout: TorchLayout;
}

const BATCH_NORM_PARTS: Readonly<Record<string, string>> = {
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVariance: 'running_var',
};

/** `module.part` for a local BatchNorm part (gamma, beta, runningMean, runningVariance); null for another part. */
export function batchNormTorchName(module: string, part: string): TorchName | null {
  const torchPart = BATCH_NORM_PARTS[part];
  return torchPart ? { torch: `${module}.${torchPart}`, layout: 'vector' } : null;
}
