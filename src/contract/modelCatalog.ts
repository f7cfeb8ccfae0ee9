/**
 * What the page may know about models without loading tfjs: ids, names, a one-line description, and which
 * feature taps the distillation methods read.
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
  'resnet50',
  'resnet18_dfkd',
  'resnet34_dfkd',
  'wrn_16_1',
  'wrn_16_2',
  'wrn_40_1',
  'wrn_40_2',
  'wrn_16_1_refilled',
  'wrn_16_2_refilled',
  'wrn_40_1_refilled',
  'wrn_40_2_refilled',
  'vgg8',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'mobilenetv2',
  'shufflev1',
  'shufflev2',
] as const;

export type ModelId = (typeof MODEL_IDS)[number];

export interface ModelInfo {
  readonly id: ModelId;
  readonly label: string;
  readonly family: 'tiny' | 'resnet' | 'wrn' | 'vgg' | 'mobilenet' | 'shufflenet';
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

const wrn = (id: ModelId, depth: number, widen: number, paramsMillions: number): ModelInfo => ({
  id,
  label: `WRN-${depth}-${widen}`,
  family: 'wrn',
  description: `Wide ResNet, ${(depth - 4) / 6} pre-activation blocks per stage, channels 16/${16 * widen}/${32 * widen}/${64 * widen}`,
  paramsMillions,
});

const refilledWrn = (id: ModelId, depth: number, widen: number, paramsMillions: number): ModelInfo => ({
  id,
  label: `WRN-${depth}-${widen} (REFILLED)`,
  family: 'wrn',
  description:
    `REFILLED's own Wide ResNet: ${(depth - 4) / 6} pre-activation blocks per stage, channels 16/${16 * widen}/${32 * widen}/${64 * widen}, ` +
    'conv biases, dropout 0.3 between the convs, the stride on the second conv, 1x1 shortcuts on the raw input',
  paramsMillions,
});

const dfkdResnet = (id: ModelId, depth: number, blocks: string, paramsMillions: number): ModelInfo => ({
  id,
  label: `ResNet-${depth} (data-free KD)`,
  family: 'resnet',
  description: `The CIFAR ResNet-${depth} of TA-DFKD, DFAD and CMI: basic blocks ${blocks}, channels 64/128/256/512, 3x3 stem without pooling`,
  paramsMillions,
});

const vgg = (id: ModelId, depth: number, convs: string, paramsMillions: number): ModelInfo => ({
  id,
  label: `VGG-${depth}`,
  family: 'vgg',
  description: `CIFAR VGG with BatchNorm, ${convs} 3x3 convolutions per block, global average pooling and one linear layer`,
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
  resnet50: {
    id: 'resnet50',
    label: 'ResNet-50',
    family: 'resnet',
    description: 'Bottleneck ResNet (RepDistiller\'s resnetv2), 3/4/6/3 blocks, channels 256/512/1024/2048, 3x3 stem without pooling',
    paramsMillions: 23.52,
  },
  resnet18_dfkd: dfkdResnet('resnet18_dfkd', 18, '2/2/2/2', 11.17),
  resnet34_dfkd: dfkdResnet('resnet34_dfkd', 34, '3/4/6/3', 21.28),
  wrn_16_1: wrn('wrn_16_1', 16, 1, 0.175),
  wrn_16_2: wrn('wrn_16_2', 16, 2, 0.692),
  wrn_40_1: wrn('wrn_40_1', 40, 1, 0.564),
  wrn_40_2: wrn('wrn_40_2', 40, 2, 2.24),
  wrn_16_1_refilled: refilledWrn('wrn_16_1_refilled', 16, 1, 0.1756),
  wrn_16_2_refilled: refilledWrn('wrn_16_2_refilled', 16, 2, 0.6928),
  wrn_40_1_refilled: refilledWrn('wrn_40_1_refilled', 40, 1, 0.5654),
  wrn_40_2_refilled: refilledWrn('wrn_40_2_refilled', 40, 2, 2.246),
  vgg8: vgg('vgg8', 8, '1/1/1/1/1', 3.92),
  vgg11: vgg('vgg11', 11, '1/1/2/2/2', 9.23),
  vgg13: vgg('vgg13', 13, '2/2/2/2/2', 9.42),
  vgg16: vgg('vgg16', 16, '2/2/3/3/3', 14.73),
  vgg19: vgg('vgg19', 19, '2/2/4/4/4', 20.04),
  mobilenetv2: {
    id: 'mobilenetv2',
    label: 'MobileNetV2 (x0.5)',
    family: 'mobilenet',
    description: "RepDistiller's mobile_half: width 0.5, expansion 6, inverted residuals with depthwise convolutions",
    paramsMillions: 0.698,
  },
  shufflev1: {
    id: 'shufflev1',
    label: 'ShuffleNetV1',
    family: 'shufflenet',
    description: 'RepDistiller\'s ShuffleV1: 3 groups, 1x1 group convolutions, channel shuffle, depthwise 3x3; channels 240/480/960',
    paramsMillions: 0.863,
  },
  shufflev2: {
    id: 'shufflev2',
    label: 'ShuffleNetV2',
    family: 'shufflenet',
    description: 'RepDistiller\'s ShuffleV2 (x1): channel split and shuffle, depthwise 3x3; channels 116/232/464, 1x1 conv to 1024',
    paramsMillions: 1.263,
  },
};

export function isModelId(value: string): value is ModelId {
  return (MODEL_IDS as readonly string[]).includes(value);
}

/*
 * Which taps the feature methods read. RepDistiller's feature lists are [stem, stage1, stage2, ..., pooled]
 * in every family (ResNet/WRN: [conv1, layer1, layer2, layer3, pooled]; VGG: [block0..block4, pooled];
 * MobileNetV2: [conv1, f1..f4, pooled]; ResNet50 and the data-free KD ResNet-18/34: [conv1, layer1..layer4,
 * pooled] (TA-DFKD's own list leaves conv1 out); ShuffleNets: [conv1, layer1..layer3, pooled]), and the zoo
 * maps feat[0] to `stem`, feat[k] to `stages[k - 1]` and feat[-1] to `penultimate`. So CA-MKD's feat[-2] is
 * `stages.at(-1)` in every family.
 */

// Per family, so that adding a family (ShuffleNet, say) does not compile until its hint is decided.
const HINT_STAGE: Readonly<Record<ModelInfo['family'], number>> = { tiny: 1, resnet: 1, wrn: 1, vgg: 1, mobilenet: 1, shufflenet: 1 };

/**
 * The index into `FeatureTaps.stages` of RepDistiller's `--hint_layer 2`, FitNets' hint: feat[2], which is
 * stages[1] everywhere. That is layer2 (16x16) for ResNet/WRN (ResNet50, the data-free KD ResNets and
 * REFILLED's WRNs too), block2 (8x8) for VGG, group 2 (8x8) for MobileNetV2, layer2 (8x8) for the ShuffleNets,
 * and block2 (8x8, its last) for the tiny CNN, whose list has VGG's layout.
 */
export function hintStage(id: ModelId): number {
  return HINT_STAGE[MODEL_CATALOG[id].family];
}

/**
 * Whether `head(globalAveragePool(stages.at(-1)))` reproduces the logits, i.e. feat[-2] is also the map the
 * classifier pools, so the head can score features of that shape. False for MobileNetV2 and ShuffleV2,
 * whose 1x1 conv (to 1280 and 1024 channels) sits between the last stage and the pool: they can be CA-MKD
 * students but not CA-MKD teachers.
 */
export function headPoolsLastStage(id: ModelId): boolean {
  return id !== 'mobilenetv2' && id !== 'shufflev2';
}
