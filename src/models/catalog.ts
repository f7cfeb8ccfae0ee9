/**
 * What the page may know about models without loading tfjs: ids, names and a one-line description.
 * The builders live in `zoo.ts` (worker side); a test keeps the two in step.
 */
export const MODEL_IDS = [
  'tiny-cnn',
  'resnet8',
  'resnet14',
  'resnet20',
  'resnet32',
  'resnet44',
  'resnet56',
  'resnet110',
  'resnet8x4',
  'resnet32x4',
] as const;

export type ModelId = (typeof MODEL_IDS)[number];

export interface ModelInfo {
  readonly id: ModelId;
  readonly label: string;
  readonly family: 'tiny' | 'resnet';
  readonly description: string;
  /** Trainable parameters for 10 classes, in millions (shown in the picker; checked by a test). */
  readonly paramsMillions: number;
}

const resnet = (id: ModelId, depth: number, wide: boolean, paramsMillions: number): ModelInfo => ({
  id,
  label: `ResNet-${depth}${wide ? 'x4' : ''}`,
  family: 'resnet',
  description: `CIFAR ResNet, ${(depth - 2) / 6} basic blocks per stage, channels ${wide ? '32/64/128/256' : '16/16/32/64'}`,
  paramsMillions,
});

export const MODEL_CATALOG: Readonly<Record<ModelId, ModelInfo>> = {
  'tiny-cnn': {
    id: 'tiny-cnn',
    label: 'Tiny CNN',
    family: 'tiny',
    description: 'Three conv-BN-ReLU blocks (16/32/64 channels) and a linear head: the fast demo model',
    paramsMillions: 0.0243,
  },
  resnet8: resnet('resnet8', 8, false, 0.078),
  resnet14: resnet('resnet14', 14, false, 0.175),
  resnet20: resnet('resnet20', 20, false, 0.272),
  resnet32: resnet('resnet32', 32, false, 0.467),
  resnet44: resnet('resnet44', 44, false, 0.661),
  resnet56: resnet('resnet56', 56, false, 0.856),
  resnet110: resnet('resnet110', 110, false, 1.731),
  resnet8x4: resnet('resnet8x4', 8, true, 1.21),
  resnet32x4: resnet('resnet32x4', 32, true, 7.41),
};

export function isModelId(value: string): value is ModelId {
  return (MODEL_IDS as readonly string[]).includes(value);
}
