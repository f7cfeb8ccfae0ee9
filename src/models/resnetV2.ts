/**
 * RepDistiller's CIFAR ResNet50 (models/resnetv2.py, `ResNet50`): the ImageNet-style bottleneck ResNet
 * adapted to 32x32 inputs. A 3x3 conv-BN-ReLU stem with 64 channels at full resolution (no max pool), four
 * stages of Bottlenecks [3, 4, 6, 3] with planes 64/128/256/512 (expansion 4, so 256/512/1024/2048
 * channels) and strides 1/2/2/2, adaptive average pooling and Linear(2048, C). NHWC, convolutions without
 * bias, Kaiming-normal fan-out convolutions, BatchNorm 1 / 0, PyTorch's default linear init (resnetv2.py's
 * loop touches only convs and norms; zero_init_residual is off in model_dict).
 *
 * Bottleneck: relu(bn3(conv3 1x1(relu(bn2(conv2 3x3 stride(relu(bn1(conv1 1x1(x))))))) + shortcut(x)), the
 * shortcut a 1x1 conv (with the stride) and BN when stride or width changes, else x.
 *
 * Feature taps (is_feat=True, preact=False): f0 = stem, f1..f4 = each stage's output (post-ReLU; 32, 16, 8
 * and 4 px), f5 = the pooled vector. The head pools the last stage directly.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import { ParamStore, convBn, dense } from './layers';
import type { ConvBn, Dense } from './layers';
import { stagedNetwork, type Network, type NetworkOptions } from './network';

const EXPANSION = 4;
const STEM_CHANNELS = 64;
export const RESNET50_STAGES = [
  { planes: 64, blocks: 3, stride: 1 },
  { planes: 128, blocks: 4, stride: 2 },
  { planes: 256, blocks: 6, stride: 2 },
  { planes: 512, blocks: 3, stride: 2 },
] as const;

export interface Bottleneck {
  readonly kind: 'bottleneck';
  /** 1x1, in -> planes. */
  readonly conv1: ConvBn;
  /** 3x3, carries the block's stride. */
  readonly conv2: ConvBn;
  /** 1x1, planes -> 4·planes, no ReLU before the sum. */
  readonly conv3: ConvBn;
  /** 1x1 projection when the block changes resolution or width; `null` means identity. */
  readonly shortcut: ConvBn | null;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface ResNetV2Layers {
  /** Followed by a ReLU. */
  readonly stem: ConvBn;
  readonly stages: readonly (readonly Bottleneck[])[];
  readonly fc: Dense;
}

export interface ResNet50 extends Network {
  readonly id: 'resnet50';
  readonly layers: ResNetV2Layers;
}

export function isResNet50(network: Network): network is ResNet50 {
  return network.id === 'resnet50' && 'layers' in network;
}

export function resnet50(options: NetworkOptions): ResNet50 {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, options.numClasses);
  return stagedNetwork('resnet50', options, params, layers);
}

// Creation order is PyTorch's module order (conv1, bn1, layer1..4, linear).
function buildLayers(params: ParamStore, numClasses: number): ResNetV2Layers {
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: STEM_CHANNELS, kernelSize: 3 });
  let inChannels: number = STEM_CHANNELS;
  const stages = RESNET50_STAGES.map(({ planes, blocks, stride }, s) =>
    Array.from({ length: blocks }, (_, b) => {
      const block = bottleneck(params, `stage${s + 1}/block${b}`, inChannels, planes, b === 0 ? stride : 1);
      inChannels = planes * EXPANSION;
      return block;
    }),
  );
  return { stem, stages, fc: dense(params, 'fc', inChannels, numClasses) };
}

function bottleneck(params: ParamStore, name: string, inChannels: number, planes: number, stride: number): Bottleneck {
  const outChannels = planes * EXPANSION;
  const conv1 = convBn(params, `${name}/conv1`, `${name}/bn1`, { inChannels, outChannels: planes, kernelSize: 1 });
  const conv2 = convBn(params, `${name}/conv2`, `${name}/bn2`, { inChannels: planes, outChannels: planes, kernelSize: 3, stride });
  const conv3 = convBn(params, `${name}/conv3`, `${name}/bn3`, { inChannels: planes, outChannels, kernelSize: 1 });
  const needsProjection = stride !== 1 || inChannels !== outChannels;
  const shortcut = needsProjection
    ? convBn(params, `${name}/shortcut/conv`, `${name}/shortcut/bn`, { inChannels, outChannels, kernelSize: 1, stride })
    : null;
  return {
    kind: 'bottleneck',
    conv1,
    conv2,
    conv3,
    shortcut,
    apply(x, training) {
      const h = tf.relu(conv2.apply(tf.relu(conv1.apply(x, training)), training));
      const residual = shortcut ? shortcut.apply(x, training) : x;
      return tf.relu(tf.add<tf.Tensor4D>(conv3.apply(h, training), residual));
    },
  };
}
