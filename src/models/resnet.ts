/**
 * The CIFAR ResNets of RepDistiller (models/resnet.py): a 3x3 conv-BN-ReLU stem, three stages of
 * BasicBlocks (strides 1/2/2), global average pooling and a linear head. NHWC, convolutions without bias.
 *
 * The layers are kept as a plain tree (`ResNetLayers`, reachable through `ResNet.layers`) so that code
 * which must walk the network layer by layer (LRP, BatchNorm folding) sees exactly what `apply` runs.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import { ParamStore, convBn, dense } from './layers';
import type { ConvBn, ConvInit, Dense } from './layers';
import { familyGuard, stagedNetwork, type LayeredNetwork, type NetworkOptions } from './network';

interface ResNetConfig {
  /** 6n + 2: n BasicBlocks per stage, two 3x3 convolutions each, plus the stem and the head. */
  readonly depth: number;
  readonly stemChannels: number;
  readonly stageChannels: readonly [number, number, number];
}

const NARROW = { stemChannels: 16, stageChannels: [16, 32, 64] } as const;
const WIDE = { stemChannels: 32, stageChannels: [64, 128, 256] } as const; // the "x4" variants

// `satisfies` rejects a key that is not a ModelId while keeping the literal keys for `ResNetId`.
const RESNET_CONFIGS = {
  resnet8: { depth: 8, ...NARROW },
  resnet14: { depth: 14, ...NARROW },
  resnet20: { depth: 20, ...NARROW },
  resnet32: { depth: 32, ...NARROW },
  resnet44: { depth: 44, ...NARROW },
  resnet56: { depth: 56, ...NARROW },
  resnet110: { depth: 110, ...NARROW },
  resnet8x4: { depth: 8, ...WIDE },
  resnet32x4: { depth: 32, ...WIDE },
} as const satisfies Partial<Record<ModelId, ResNetConfig>>;

export type ResNetId = keyof typeof RESNET_CONFIGS;

/** relu(conv2(relu(conv1(x))) + shortcut(x)), each conv with its BatchNorm (the pair LRP folds into one affine map). */
export interface BasicBlock {
  readonly kind: 'basicBlock';
  /** 3x3, carries the block's stride. */
  readonly conv1: ConvBn;
  /** 3x3, stride 1. */
  readonly conv2: ConvBn;
  /** 1x1 projection when the block changes resolution or width; `null` means identity. */
  readonly shortcut: ConvBn | null;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface ResNetLayers {
  /** Followed by a ReLU. */
  readonly stem: ConvBn;
  /** stages[0] is stage1; each stage is its blocks in order. */
  readonly stages: readonly (readonly BasicBlock[])[];
  /** Applied to the globally pooled last stage. */
  readonly fc: Dense;
}

/** A ResNet whose layers can be walked. */
export type ResNet = LayeredNetwork<ResNetId, ResNetLayers>;
export const isResNet = familyGuard<ResNetId, ResNetLayers>(RESNET_CONFIGS);

export function resnet(id: ResNetId, options: NetworkOptions): ResNet {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, RESNET_CONFIGS[id], options.numClasses);

  return stagedNetwork(id, options, params, layers);
}

// Creation order decides which random draws each parameter gets: PyTorch's module order (stem, stages, fc).
function buildLayers(params: ParamStore, config: ResNetConfig, numClasses: number): ResNetLayers {
  const { stemChannels, stageChannels: [c1, c2, c3] } = config;
  const blocks = (config.depth - 2) / 6;
  const stem = convBn(params, 'stem/conv', 'stem/bn', { inChannels: 3, outChannels: stemChannels, kernelSize: 3 });
  // As RepDistiller's _make_layer calls: stage1 keeps the resolution, stage2 and stage3 halve it.
  const stages = [stage(params, 1, stemChannels, c1, blocks, 1), stage(params, 2, c1, c2, blocks, 2), stage(params, 3, c2, c3, blocks, 2)];
  return { stem, stages, fc: dense(params, 'fc', c3, numClasses) };
}

/** `blocks` BasicBlocks; only the first changes stride and width. */
function stage(params: ParamStore, index: number, inChannels: number, width: number, blocks: number, stride: number): BasicBlock[] {
  return Array.from({ length: blocks }, (_, b) =>
    basicBlock(params, `stage${index}/block${b}`, b === 0 ? inChannels : width, width, b === 0 ? stride : 1),
  );
}

/**
 * One BasicBlock, created in PyTorch's module order (conv1, bn1, conv2, bn2, shortcut conv and BN). `init`
 * is the convolutions' init: RepDistiller's Kaiming, or PyTorch's default for the data-free KD ResNets.
 */
export function basicBlock(params: ParamStore, name: string, inChannels: number, outChannels: number, stride: number, init: ConvInit = 'kaimingFanOut'): BasicBlock {
  const conv1 = convBn(params, `${name}/conv1`, `${name}/bn1`, { inChannels, outChannels, kernelSize: 3, stride, init });
  const conv2 = convBn(params, `${name}/conv2`, `${name}/bn2`, { inChannels: outChannels, outChannels, kernelSize: 3, init });
  const needsProjection = stride !== 1 || inChannels !== outChannels;
  const shortcut = needsProjection
    ? convBn(params, `${name}/shortcut/conv`, `${name}/shortcut/bn`, { inChannels, outChannels, kernelSize: 1, stride, init })
    : null;
  return {
    kind: 'basicBlock',
    conv1,
    conv2,
    shortcut,
    apply(x, training) {
      const h = tf.relu(conv1.apply(x, training));
      const residual = shortcut ? shortcut.apply(x, training) : x;
      return tf.relu(tf.add<tf.Tensor4D>(conv2.apply(h, training), residual));
    },
  };
}

