/**
 * The CIFAR ResNet-18 and ResNet-34 of the data-free KD codes (TA-DFKD's networks/resnet.py, as DFAD and CMI
 * have it; kuangliu's pytorch-cifar ResNet): a 3x3 conv-BN-ReLU stem with 64 channels at full resolution (no
 * max pool), four stages of post-activation BasicBlocks ([2, 2, 2, 2] or [3, 4, 6, 3]; planes 64/128/256/512,
 * strides 1/2/2/2; a 1x1 conv-BN shortcut where stride or width changes), average pooling and
 * Linear(512, C). NHWC, convolutions without bias.
 *
 * The reference never re-initialises, so every layer keeps PyTorch's default init: convolutions
 * U(±1/sqrt(fan_in)) ('torchDefault'), BatchNorm 1 / 0, Linear U(±1/sqrt(in)) for weight and bias. That
 * init is the only difference from RepDistiller's resnetv2 ResNet18/34 (Kaiming-normal convolutions).
 *
 * Feature taps: f0 = stem, f1..f4 = each stage's output (32, 16, 8 and 4 px on a 32x32 input), f5 = the
 * pooled vector; the layers are the CIFAR ResNets' tree (`ResNetLayers`), so LRP walks them the same way.
 */
import { keyedRng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import { ParamStore, convBn, dense } from './layers';
import { familyGuard, stagedNetwork, type LayeredNetwork, type NetworkOptions } from './network';
import { basicBlock, type ResNetLayers } from './resnet';

const STEM_CHANNELS = 64;
const STAGE_PLANES = [64, 128, 256, 512] as const;
const STAGE_STRIDES = [1, 2, 2, 2] as const;

/** BasicBlocks per stage: TA-DFKD's `ResNet18` and `ResNet34`. */
const DFKD_RESNET_BLOCKS = {
  resnet18_dfkd: [2, 2, 2, 2],
  resnet34_dfkd: [3, 4, 6, 3],
} as const satisfies Partial<Record<ModelId, readonly number[]>>;

export type DfkdResNetId = keyof typeof DFKD_RESNET_BLOCKS;

export type DfkdResNet = LayeredNetwork<DfkdResNetId, ResNetLayers>;
export const isDfkdResNet = familyGuard<DfkdResNetId, ResNetLayers>(DFKD_RESNET_BLOCKS);

export function dfkdResNet(id: DfkdResNetId, options: NetworkOptions): DfkdResNet {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, DFKD_RESNET_BLOCKS[id], options.numClasses);
  return stagedNetwork(id, options, params, layers);
}

// Creation order is PyTorch's module order (conv1, bn1, layer1..4, linear).
function buildLayers(params: ParamStore, blocksPerStage: readonly number[], numClasses: number): ResNetLayers {
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: STEM_CHANNELS, kernelSize: 3, init: 'torchDefault' });
  let inChannels: number = STEM_CHANNELS;
  const stages = STAGE_PLANES.map((planes, s) =>
    Array.from({ length: blocksPerStage[s]! }, (_, b) => {
      const block = basicBlock(params, `stage${s + 1}/block${b}`, inChannels, planes, b === 0 ? STAGE_STRIDES[s]! : 1, 'torchDefault');
      inChannels = planes;
      return block;
    }),
  );
  return { stem, stages, fc: dense(params, 'fc', inChannels, numClasses) };
}
