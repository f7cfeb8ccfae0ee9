/**
 * RepDistiller's CIFAR ShuffleNet (models/ShuffleNetv1.py, `ShuffleV1`): groups 3, stage widths
 * 240/480/960 with 4/8/4 bottlenecks. NHWC, convolutions without bias, PyTorch's default init throughout
 * (the file never re-initialises): convolutions U(±1 / sqrt(fan_in)) with fan_in = in / groups · k·k,
 * BatchNorm 1 / 0, the linear layer PyTorch's default.
 *
 * - Stem: 1x1 conv 3 -> 24, BN, ReLU, at full resolution (32x32).
 * - Bottleneck(in, out, stride): mid = out / 4; relu(bn1(gconv1(x))) with g = 1 when in = 24 (the first
 *   block) and 3 otherwise, channel shuffle with that g, relu(bn2(depthwise 3x3, stride)), bn3(gconv3, 3
 *   groups). Stride 1 adds x; stride 2 (the first block of each stage) concatenates [branch, avgpool(x)]
 *   with a 3x3 stride-2 average pool whose zero padding counts in the mean (PyTorch's count_include_pad), so
 *   the branch is `stage width - in` wide. ReLU after either.
 * - Global average pooling of the 4x4 map and Linear(960, C).
 *
 * Feature taps (is_feat=True, preact=False): f0 = stem, f1..f3 = each stage's output after its last ReLU,
 * f4 = the pooled vector. The head pools the last stage directly.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import { depthwiseBn, type DepthwiseBn } from './depthwise';
import { channelShuffle, groupedConvBn, type GroupedConvBn } from './grouped';
import { ParamStore, convBn, dense } from './layers';
import type { ConvBn, Dense } from './layers';
import { stagedNetwork, type Network, type NetworkOptions } from './network';

const GROUPS = 3;
const STEM_CHANNELS = 24;
export const SHUFFLE_V1_STAGES = [
  { width: 240, blocks: 4 },
  { width: 480, blocks: 8 },
  { width: 960, blocks: 4 },
] as const;

export interface ShuffleV1Bottleneck {
  readonly kind: 'shuffleV1Bottleneck';
  /** 1x1, `shuffleGroups` groups. */
  readonly conv1: GroupedConvBn;
  /** Groups of conv1 and of the shuffle after it: 1 in the first block (24 input channels), else 3. */
  readonly shuffleGroups: number;
  /** Depthwise 3x3, carries the stride. */
  readonly conv2: DepthwiseBn;
  /** 1x1, 3 groups. */
  readonly conv3: GroupedConvBn;
  /** 2: concatenate with the average-pooled input; 1: add the input. */
  readonly stride: number;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface ShuffleV1Layers {
  /** Followed by a ReLU. */
  readonly stem: ConvBn;
  readonly stages: readonly (readonly ShuffleV1Bottleneck[])[];
  readonly fc: Dense;
}

export interface ShuffleV1 extends Network {
  readonly id: 'shufflev1';
  readonly layers: ShuffleV1Layers;
}

export function isShuffleV1(network: Network): network is ShuffleV1 {
  return network.id === 'shufflev1' && 'layers' in network;
}

/** AvgPool2d(3, stride=2, padding=1) with the padded zeros counted in every mean (divisor always 9). */
export function shortcutPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid');
}

export function shuffleNetV1(options: NetworkOptions): ShuffleV1 {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, options.numClasses);
  return stagedNetwork('shufflev1', options, params, layers);
}

// Creation order is PyTorch's module order (conv1, bn1, layer1..3, linear).
function buildLayers(params: ParamStore, numClasses: number): ShuffleV1Layers {
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: STEM_CHANNELS, kernelSize: 1, init: 'torchDefault' });
  let inChannels: number = STEM_CHANNELS;
  const stages = SHUFFLE_V1_STAGES.map(({ width, blocks }, s) =>
    Array.from({ length: blocks }, (_, b) => {
      // The first block concatenates its pooled input, so its branch makes only the missing channels.
      const block = bottleneck(params, `stage${s + 1}/block${b}`, inChannels, b === 0 ? width - inChannels : width, b === 0 ? 2 : 1);
      inChannels = width;
      return block;
    }),
  );
  return { stem, stages, fc: dense(params, 'fc', inChannels, numClasses) };
}

function bottleneck(params: ParamStore, name: string, inChannels: number, outChannels: number, stride: number): ShuffleV1Bottleneck {
  const mid = Math.trunc(outChannels / 4);
  const shuffleGroups = inChannels === STEM_CHANNELS ? 1 : GROUPS;
  const init = 'torchDefault';
  const conv1 = groupedConvBn(params, `${name}/conv1`, `${name}/bn1`, { inChannels, outChannels: mid, kernelSize: 1, groups: shuffleGroups, init });
  const conv2 = depthwiseBn(params, `${name}/conv2`, `${name}/bn2`, { channels: mid, kernelSize: 3, stride, init });
  const conv3 = groupedConvBn(params, `${name}/conv3`, `${name}/bn3`, { inChannels: mid, outChannels, kernelSize: 1, groups: GROUPS, init });
  return {
    kind: 'shuffleV1Bottleneck',
    conv1,
    shuffleGroups,
    conv2,
    conv3,
    stride,
    apply(x, training) {
      const h = channelShuffle(tf.relu(conv1.apply(x, training)), shuffleGroups);
      const branch = conv3.apply(tf.relu(conv2.apply(h, training)), training);
      return tf.relu(stride === 2 ? tf.concat([branch, shortcutPool(x)], 3) : tf.add<tf.Tensor4D>(branch, x));
    },
  };
}
