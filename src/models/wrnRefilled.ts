/**
 * REFILLED's own Wide ResNet (njulus/REFILLED, networks/wide_resnet.py), which differs from RepDistiller's
 * (wrn.ts) in five ways:
 * - every convolution has a bias: the stem, both block convs and the 1x1 shortcut;
 * - a block is bn1-ReLU-conv1 (stride 1)-bn2-ReLU-dropout-conv2, and conv2 carries the stride;
 * - the shortcut is a bare 1x1 conv of the raw input x (RepDistiller projects the activated input), present
 *   when the stride or the width changes, else the identity;
 * - dropout before conv2, at REFILLED's default rate 0.3, with masks from the run's keyed generator
 *   (keyedDropout.ts) so that a seed decides the whole training run;
 * - the final BatchNorm's running statistics move with momentum 0.9 (PyTorch's convention, 0.9 of the batch
 *   statistics per step), as REFILLED builds it.
 * The stem is not followed by an activation; then the final BN, ReLU, global average pooling and `fc`.
 * REFILLED defines a `conv_init` but never applies it, so every layer has PyTorch's default init: conv
 * kernels and biases U(±1/sqrt(fan_in)), Linear weight and bias U(±1/sqrt(in)), BatchNorm 1 / 0.
 *
 * Feature taps as in wrn.ts: `stem` is the raw stem conv, `stages[0]`, `stages[1]` the raw residual sums of
 * layer1 and layer2, `stages[2]` relu(bn(layer3)), the map the head pools.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import { keyedDropout } from './keyedDropout';
import { ParamStore, batchNorm, conv2d, dense } from './layers';
import type { BatchNorm, Conv2d, Dense } from './layers';
import { familyGuard, type LayeredNetwork, type NetworkOptions, type TrainingPassCounter } from './network';
import { preActivationForward } from './wrn';

/** REFILLED's `--dropout_rate` default, which every run in its README uses. */
export const REFILLED_DROPOUT_RATE = 0.3;
/** REFILLED's final BatchNorm momentum (nn.BatchNorm2d(..., momentum=0.9)). */
const FINAL_BN_MOMENTUM = 0.9;
const STEM_CHANNELS = 16;

/** [depth, widen]: the four sizes of REFILLED's CIFAR-100 table. */
const REFILLED_WRN_CONFIGS = {
  wrn_16_1_refilled: [16, 1],
  wrn_16_2_refilled: [16, 2],
  wrn_40_1_refilled: [40, 1],
  wrn_40_2_refilled: [40, 2],
} as const satisfies Partial<Record<ModelId, readonly [number, number]>>;

export type RefilledWrnId = keyof typeof REFILLED_WRN_CONFIGS;

/** conv2(dropout(relu(bn2(conv1(relu(bn1(x))))))) + shortcut(x). */
export interface RefilledBlock {
  readonly kind: 'refilledBlock';
  readonly bn1: BatchNorm;
  /** 3x3, stride 1, with bias. */
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm;
  /** 3x3, carries the block's stride, with bias. */
  readonly conv2: Conv2d;
  /** 1x1 projection of the raw input (with the stride, with bias) where the shape changes; `null` means identity. */
  readonly shortcut: Conv2d | null;
  /** `pass`: the network's training-pass index, which keys the dropout mask; ignored in eval mode. */
  apply(x: tf.Tensor4D, training: boolean, pass: number): tf.Tensor4D;
}

export interface RefilledWrnLayers {
  /** 3x3, 16 channels, with bias; no activation follows. */
  readonly stem: Conv2d;
  readonly stages: readonly (readonly RefilledBlock[])[];
  /** The final BN, followed by a ReLU, global average pooling and `fc`. */
  readonly bn: BatchNorm;
  readonly fc: Dense;
  readonly dropoutRate: number;
}

export type RefilledWrn = LayeredNetwork<RefilledWrnId, RefilledWrnLayers>;
export const isRefilledWrn = familyGuard<RefilledWrnId, RefilledWrnLayers>(REFILLED_WRN_CONFIGS);

export function refilledWrn(id: RefilledWrnId, options: NetworkOptions): RefilledWrn {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const [depth, widen] = REFILLED_WRN_CONFIGS[id];
  const layers = buildLayers(params, depth, widen, options.numClasses, options.seed);
  // Counts this network's training-mode forwards: the dropout masks' key, as the PyTorch twin counts them.
  let passes = 0;
  const trainingPasses: TrainingPassCounter = {
    get count() {
      return passes;
    },
    restore(count) {
      if (!Number.isSafeInteger(count) || count < 0) throw new Error(`A training pass count is a whole number from 0, not ${count}.`);
      passes = count;
    },
  };
  return {
    id,
    numClasses: options.numClasses,
    params,
    layers,
    apply(x, { training }) {
      const pass = training ? passes++ : -1;
      return preActivationForward(layers, layers.stem.apply(x), training, (block, h) => block.apply(h, training, pass));
    },
    classifier: layers.fc,
    head: (penultimate) => layers.fc.apply(penultimate),
    trainingPasses,
    dispose: () => params.dispose(),
  };
}

// Creation order decides which random draws each parameter gets: PyTorch's module order.
function buildLayers(params: ParamStore, depth: number, widen: number, numClasses: number, seed: number): RefilledWrnLayers {
  const blocks = (depth - 4) / 6;
  const stem = conv2d(params, 'stem/conv', { inChannels: 3, outChannels: STEM_CHANNELS, kernelSize: 3, bias: true, init: 'torchDefault' });
  const specs = [
    { width: 16 * widen, stride: 1 },
    { width: 32 * widen, stride: 2 },
    { width: 64 * widen, stride: 2 },
  ];
  let inChannels = STEM_CHANNELS;
  let layer = 0;
  const stages = specs.map(({ width, stride }, s) => {
    const stage = Array.from({ length: blocks }, (_, b) =>
      refilledBlock(params, `stage${s + 1}/block${b}`, b === 0 ? inChannels : width, width, b === 0 ? stride : 1, { seed, layer: layer++, rate: REFILLED_DROPOUT_RATE }),
    );
    inChannels = width;
    return stage;
  });
  const bn = batchNorm(params, 'bn', inChannels, { momentum: FINAL_BN_MOMENTUM });
  return { stem, stages, bn, fc: dense(params, 'fc', inChannels, numClasses), dropoutRate: REFILLED_DROPOUT_RATE };
}

function refilledBlock(
  params: ParamStore,
  name: string,
  inChannels: number,
  outChannels: number,
  stride: number,
  dropout: { readonly seed: number; readonly layer: number; readonly rate: number },
): RefilledBlock {
  const bn1 = batchNorm(params, `${name}/bn1`, inChannels);
  const conv1 = conv2d(params, `${name}/conv1`, { inChannels, outChannels, kernelSize: 3, bias: true, init: 'torchDefault' });
  const bn2 = batchNorm(params, `${name}/bn2`, outChannels);
  const conv2 = conv2d(params, `${name}/conv2`, { inChannels: outChannels, outChannels, kernelSize: 3, stride, bias: true, init: 'torchDefault' });
  const projects = stride !== 1 || inChannels !== outChannels;
  const shortcut = projects
    ? conv2d(params, `${name}/shortcut`, { inChannels, outChannels, kernelSize: 1, stride, bias: true, init: 'torchDefault' })
    : null;
  return {
    kind: 'refilledBlock',
    bn1,
    conv1,
    bn2,
    conv2,
    shortcut,
    apply(x, training, pass) {
      let h = tf.relu(bn2.apply(conv1.apply(tf.relu(bn1.apply(x, training))), training));
      if (training) h = keyedDropout(h, { seed: dropout.seed, layer: dropout.layer, pass }, dropout.rate);
      return tf.add<tf.Tensor4D>(conv2.apply(h), shortcut ? shortcut.apply(x) : x);
    },
  };
}
