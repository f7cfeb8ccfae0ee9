/**
 * RepDistiller's CIFAR ShuffleNetV2 (models/ShuffleNetv2.py, `ShuffleV2` = net_size 1): stage widths
 * 116/232/464, 3/7/3 basic blocks after each stage's down block, a 1x1 conv to 1024 channels. NHWC,
 * convolutions without bias, PyTorch's default init throughout (the file never re-initialises).
 *
 * - Stem: 1x1 conv 3 -> 24, BN, ReLU, at full resolution (32x32).
 * - DownBlock(in, out), mid = out / 2: left = relu(bn2(conv2(bn1(dw3x3 stride 2 (x))))), right =
 *   relu(bn5(conv5(bn4(dw3x3 stride 2 (relu(bn3(conv3(x)))))))), concatenated [left, right], shuffled (2 groups).
 * - BasicBlock(c): x1 = the first c / 2 channels, x2 = the rest; x2 -> relu(bn1(conv1)) -> bn2(dw3x3) ->
 *   relu(bn3(conv3)); concatenated [x1, branch], shuffled (2 groups).
 * - relu(bn2(conv2 1x1 464 -> 1024)), global average pooling of the 4x4 map, Linear(1024, C).
 *
 * Feature taps (is_feat=True, preact=False): f0 = stem, f1..f3 = each stage's output (after its last
 * shuffle), f4 = the pooled vector. Like MobileNetV2, the head does not pool the last stage (conv2 comes
 * between), so a ShuffleV2 cannot serve as a CA-MKD teacher.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import { depthwiseBn, type DepthwiseBn } from './depthwise';
import { channelShuffle } from './grouped';
import { ParamStore, convBn, dense } from './layers';
import type { ConvBn, Dense } from './layers';
import { stagedNetwork, type Network, type NetworkOptions } from './network';

const STEM_CHANNELS = 24;
export const SHUFFLE_V2_STAGES = [
  { width: 116, blocks: 3 },
  { width: 232, blocks: 7 },
  { width: 464, blocks: 3 },
] as const;
const LAST_CHANNELS = 1024;

export interface ShuffleV2DownBlock {
  readonly kind: 'shuffleV2DownBlock';
  /** Left: depthwise stride 2 (no ReLU), then 1x1 + ReLU. */
  readonly conv1: DepthwiseBn;
  readonly conv2: ConvBn;
  /** Right: 1x1 + ReLU, depthwise stride 2 (no ReLU), 1x1 + ReLU. */
  readonly conv3: ConvBn;
  readonly conv4: DepthwiseBn;
  readonly conv5: ConvBn;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface ShuffleV2BasicBlock {
  readonly kind: 'shuffleV2BasicBlock';
  /** Channels passed through unchanged (x1): RepDistiller's SplitBlock(0.5). */
  readonly split: number;
  /** On x2: 1x1 + ReLU, depthwise (no ReLU), 1x1 + ReLU. */
  readonly conv1: ConvBn;
  readonly conv2: DepthwiseBn;
  readonly conv3: ConvBn;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface ShuffleV2Layers {
  /** Followed by a ReLU. */
  readonly stem: ConvBn;
  /** Each stage: its down block, then its basic blocks. */
  readonly stages: readonly (readonly [ShuffleV2DownBlock, ...ShuffleV2BasicBlock[]])[];
  /** 1x1 to 1024 channels, followed by a ReLU, global average pooling and `fc`. */
  readonly conv2: ConvBn;
  readonly fc: Dense;
}

export interface ShuffleV2 extends Network {
  readonly id: 'shufflev2';
  readonly layers: ShuffleV2Layers;
}

export function isShuffleV2(network: Network): network is ShuffleV2 {
  return network.id === 'shufflev2' && 'layers' in network;
}

export function shuffleNetV2(options: NetworkOptions): ShuffleV2 {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, options.numClasses);
  return stagedNetwork('shufflev2', options, params, layers, (h, training) => tf.relu(layers.conv2.apply(h, training)));
}

const init = 'torchDefault';
const pointwise = (params: ParamStore, name: string, conv: string, bn: string, inChannels: number, outChannels: number) =>
  convBn(params, `${name}/${conv}`, `${name}/${bn}`, { inChannels, outChannels, kernelSize: 1, init });
const depthwise = (params: ParamStore, name: string, conv: string, bn: string, channels: number, stride: number) =>
  depthwiseBn(params, `${name}/${conv}`, `${name}/${bn}`, { channels, kernelSize: 3, stride, init });

// Creation order is PyTorch's module order (conv1, bn1, layer1..3, conv2, bn2, linear).
function buildLayers(params: ParamStore, numClasses: number): ShuffleV2Layers {
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: STEM_CHANNELS, kernelSize: 1, init });
  let inChannels: number = STEM_CHANNELS;
  const stages = SHUFFLE_V2_STAGES.map(({ width, blocks }, s) => {
    const down = downBlock(params, `stage${s + 1}/block0`, inChannels, width);
    inChannels = width;
    const basics = Array.from({ length: blocks }, (_, b) => basicBlock(params, `stage${s + 1}/block${b + 1}`, width));
    return [down, ...basics] as const;
  });
  const conv2 = convBn(params, 'conv2/conv', 'conv2/bn', { inChannels, outChannels: LAST_CHANNELS, kernelSize: 1, init });
  return { stem, stages, conv2, fc: dense(params, 'fc', LAST_CHANNELS, numClasses) };
}

function downBlock(params: ParamStore, name: string, inChannels: number, outChannels: number): ShuffleV2DownBlock {
  const mid = Math.trunc(outChannels / 2);
  const conv1 = depthwise(params, name, 'conv1', 'bn1', inChannels, 2);
  const conv2 = pointwise(params, name, 'conv2', 'bn2', inChannels, mid);
  const conv3 = pointwise(params, name, 'conv3', 'bn3', inChannels, mid);
  const conv4 = depthwise(params, name, 'conv4', 'bn4', mid, 2);
  const conv5 = pointwise(params, name, 'conv5', 'bn5', mid, mid);
  return {
    kind: 'shuffleV2DownBlock',
    conv1,
    conv2,
    conv3,
    conv4,
    conv5,
    apply(x, training) {
      const left = tf.relu(conv2.apply(conv1.apply(x, training), training));
      const right = tf.relu(conv5.apply(conv4.apply(tf.relu(conv3.apply(x, training)), training), training));
      return channelShuffle(tf.concat([left, right], 3), 2);
    },
  };
}

function basicBlock(params: ParamStore, name: string, channels: number): ShuffleV2BasicBlock {
  const split = Math.trunc(channels * 0.5);
  const conv1 = pointwise(params, name, 'conv1', 'bn1', split, split);
  const conv2 = depthwise(params, name, 'conv2', 'bn2', split, 1);
  const conv3 = pointwise(params, name, 'conv3', 'bn3', split, split);
  return {
    kind: 'shuffleV2BasicBlock',
    split,
    conv1,
    conv2,
    conv3,
    apply(x, training) {
      const [x1, x2] = tf.split(x, [split, x.shape[3] - split], 3) as [tf.Tensor4D, tf.Tensor4D];
      const branch = tf.relu(conv3.apply(conv2.apply(tf.relu(conv1.apply(x2, training)), training), training));
      return channelShuffle(tf.concat([x1, branch], 3), 2);
    },
  };
}
