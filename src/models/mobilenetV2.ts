/**
 * RepDistiller's CIFAR MobileNetV2 (models/mobilenetv2.py), as its `mobile_half` builds it: expansion
 * T = 6, width multiplier 0.5, input_size 32. NHWC, convolutions without bias, plain ReLU (not ReLU6).
 *
 * - Stem: 3x3 conv-BN-ReLU with stride 2 (32 -> 16) and int(32 * 0.5) = 16 channels.
 * - Seven groups of inverted residuals, (t, c, n, s) = (1,16,1,1) (T,24,2,1) (T,32,3,2) (T,64,4,2)
 *   (T,96,3,1) (T,160,3,2) (T,320,1,1), channels int(c * 0.5). The CIFAR change from ImageNet's table is
 *   s = 1 for the 24-channel group, so a 32x32 input ends at 2x2. This copy keeps the 1x1 expansion conv
 *   even for t = 1, unlike torchvision's.
 * - conv2: 1x1 conv-BN-ReLU to 1280 channels (`int(1280 * w) if w > 1.0 else 1280`, so not halved),
 *   then average pooling (global on the 2x2 map) and Linear(1280, C).
 *
 * Feature taps are RepDistiller's f0..f4: `stem` (16x16x16, post-ReLU) and `stages` = the outputs of groups
 * 1, 2, 4 and 6 (16x16x12, 8x8x16, 4x4x48, 2x2x160). Those are linear-bottleneck outputs, not post-ReLU:
 * MobileNetV2 has no activation there by design. stages[1] is FitNets' hint layer 2 and stages[3] is
 * CA-MKD's feat[-2]; unlike every other family, the head does not pool that map (conv2 comes between), so
 * a MobileNetV2 cannot serve as a CA-MKD teacher (`headPoolsLastStage` in catalog.ts).
 *
 * The layers are a plain tree (`MobileNetV2Layers`) for code that walks the network layer by layer (LRP).
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import { depthwiseBn, type DepthwiseBn } from './depthwise';
import { ParamStore, convBn, globalAveragePool } from './layers';
import type { ConvBn, Dense } from './layers';
import type { Network, NetworkOptions } from './network';

export type { DepthwiseBn } from './depthwise';
import { smallNormalDense } from './vgg';

const EXPANSION = 6;
const WIDTH = 0.5;
/** RepDistiller's interverted_residual_setting: expansion t, channels c, blocks n, first stride s. */
const GROUPS = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: EXPANSION, c: 24, n: 2, s: 1 },
  { t: EXPANSION, c: 32, n: 3, s: 2 },
  { t: EXPANSION, c: 64, n: 4, s: 2 },
  { t: EXPANSION, c: 96, n: 3, s: 1 },
  { t: EXPANSION, c: 160, n: 3, s: 2 },
  { t: EXPANSION, c: 320, n: 1, s: 1 },
] as const;
/** The groups after which RepDistiller's forward() records f1..f4. */
export const TAP_GROUPS: readonly number[] = [1, 2, 4, 6];
const LAST_CHANNELS = 1280;

/** project(relu(depthwise(relu(expand(x))))), plus x when `residual`. */
export interface InvertedResidual {
  readonly kind: 'invertedResidual';
  /** 1x1, in -> in * t. */
  readonly expand: ConvBn;
  /** 3x3, carries the block's stride. */
  readonly depthwise: DepthwiseBn;
  /** 1x1, in * t -> out, no activation after it (the linear bottleneck). */
  readonly project: ConvBn;
  /** Stride 1 and equal widths: the identity is added. */
  readonly residual: boolean;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface MobileNetV2Layers {
  /** Followed by a ReLU. */
  readonly stem: ConvBn;
  /** RepDistiller's `blocks`: seven groups of inverted residuals. */
  readonly groups: readonly (readonly InvertedResidual[])[];
  /** 1x1 to 1280 channels, followed by a ReLU, global average pooling and `classifier`. */
  readonly conv2: ConvBn;
  readonly classifier: Dense;
}

/** A Network whose layers can be walked. */
export interface MobileNetV2 extends Network {
  readonly id: 'mobilenetv2';
  readonly layers: MobileNetV2Layers;
}

export function isMobileNetV2(network: Network): network is MobileNetV2 {
  return network.id === 'mobilenetv2' && 'layers' in network;
}

export function mobileNetV2(options: NetworkOptions): MobileNetV2 {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, options.numClasses);

  return {
    id: 'mobilenetv2',
    numClasses: options.numClasses,
    params,
    layers,
    apply(x, { training }) {
      const stem = tf.relu(layers.stem.apply(x, training));
      const stages: tf.Tensor4D[] = [];
      let h = stem;
      layers.groups.forEach((blocks, g) => {
        for (const block of blocks) h = block.apply(h, training);
        if (TAP_GROUPS.includes(g)) stages.push(h);
      });
      // RepDistiller's AvgPool2d(2, ceil_mode=True) on the 2x2 map of a 32x32 input: a global average.
      const penultimate = globalAveragePool(tf.relu(layers.conv2.apply(h, training)));
      return { logits: layers.classifier.apply(penultimate), features: { stem, stages, penultimate } };
    },
    classifier: layers.classifier,
    head: (penultimate) => layers.classifier.apply(penultimate),
    dispose: () => params.dispose(),
  };
}

// Creation order decides which random draws each parameter gets: PyTorch's module order.
function buildLayers(params: ParamStore, numClasses: number): MobileNetV2Layers {
  let inChannels = Math.trunc(32 * WIDTH);
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: inChannels, kernelSize: 3, stride: 2 });
  const groups = GROUPS.map(({ t, c, n, s }, g) => {
    const outChannels = Math.trunc(c * WIDTH);
    return Array.from({ length: n }, (_, b) => {
      const block = invertedResidual(params, `group${g}/block${b}`, inChannels, outChannels, b === 0 ? s : 1, t);
      inChannels = outChannels;
      return block;
    });
  });
  const conv2 = convBn(params, 'conv2/conv', 'conv2/bn', { inChannels, outChannels: LAST_CHANNELS, kernelSize: 1 });
  return { stem, groups, conv2, classifier: smallNormalDense(params, 'classifier', LAST_CHANNELS, numClasses) };
}

function invertedResidual(params: ParamStore, name: string, inChannels: number, outChannels: number, stride: number, t: number): InvertedResidual {
  const hidden = inChannels * t;
  const expand = convBn(params, `${name}/expand/conv`, `${name}/expand/bn`, { inChannels, outChannels: hidden, kernelSize: 1 });
  const depthwise = depthwiseBn(params, `${name}/depthwise/conv`, `${name}/depthwise/bn`, { channels: hidden, kernelSize: 3, stride });
  const project = convBn(params, `${name}/project/conv`, `${name}/project/bn`, { inChannels: hidden, outChannels, kernelSize: 1 });
  const residual = stride === 1 && inChannels === outChannels;
  return {
    kind: 'invertedResidual',
    expand,
    depthwise,
    project,
    residual,
    apply(x, training) {
      const h = project.apply(tf.relu(depthwise.apply(tf.relu(expand.apply(x, training)), training)), training);
      return residual ? tf.add<tf.Tensor4D>(x, h) : h;
    },
  };
}

