/**
 * The Wide ResNets of RepDistiller (models/wrn.py): WRN-d-k with a bare 3x3 stem conv, three stages of
 * n = (d - 4) / 6 pre-activation BasicBlocks (channels 16k/32k/64k, strides 1/2/2, dropRate 0), a final
 * BN-ReLU, global average pooling and a linear head. NHWC, convolutions without bias.
 *
 * Feature taps, and why two of them are not post-activation:
 * - `stem` is the raw stem conv (RepDistiller's f0): a pre-activation net has no BN-ReLU there.
 * - `stages[0]`, `stages[1]` are the raw residual sums of stage1 and stage2 (f1, f2), as both RepDistiller
 *   and CA-MKD return them. In a pre-activation net no ReLU sits between blocks (the next block's bn1-ReLU
 *   is its own), so these maps can be negative. stages[1] is FitNets' hint layer 2 (16x16).
 * - `stages[2]` is relu(bn(stage3)), the map the head pools. CA-MKD's copy of wrn.py moved f3 there so that
 *   feat[-2] is post-ReLU and avgpool-fc is its head; RepDistiller returns the raw stage3 sum, which none of
 *   the methods here read.
 *
 * The layers are a plain tree (`WrnLayers`) for code that walks the network layer by layer (LRP).
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import { ParamStore, batchNorm, conv2d, globalAveragePool } from './layers';
import type { BatchNorm, Conv2d, Dense } from './layers';
import { familyGuard, runStages, type LayeredNetwork, type ModelOutput, type NetworkOptions } from './network';

interface WrnConfig {
  /** 6n + 4, with n pre-activation blocks per stage. */
  readonly depth: number;
  /** k: the stages have 16k, 32k and 64k channels. */
  readonly widen: number;
}

const WRN_CONFIGS = {
  wrn_16_1: { depth: 16, widen: 1 },
  wrn_16_2: { depth: 16, widen: 2 },
  wrn_40_1: { depth: 40, widen: 1 },
  wrn_40_2: { depth: 40, widen: 2 },
} as const satisfies Partial<Record<ModelId, WrnConfig>>;

export type WrnId = keyof typeof WRN_CONFIGS;

/**
 * RepDistiller's wrn BasicBlock: conv2(relu(bn2(conv1(a)))) + shortcut, where a = relu(bn1(x)).
 * The shortcut is the identity on the raw x when the width is unchanged, else a 1x1 projection of a.
 */
export interface PreActBlock {
  readonly kind: 'preActBlock';
  readonly bn1: BatchNorm;
  /** 3x3, carries the block's stride. */
  readonly conv1: Conv2d;
  readonly bn2: BatchNorm;
  /** 3x3, stride 1. */
  readonly conv2: Conv2d;
  /** 1x1 projection (with the block's stride) when the width changes; `null` means identity. */
  readonly shortcut: Conv2d | null;
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export interface WrnLayers {
  /** Not followed by an activation: the first block normalises its input. */
  readonly stem: Conv2d;
  /** stages[0] is stage1; each stage is its blocks in order. */
  readonly stages: readonly (readonly PreActBlock[])[];
  /** The final BN, followed by a ReLU, global average pooling and `fc`. */
  readonly bn: BatchNorm;
  readonly fc: Dense;
}

/** A Wrn whose layers can be walked. */
export type Wrn = LayeredNetwork<WrnId, WrnLayers>;
export const isWrn = familyGuard<WrnId, WrnLayers>(WRN_CONFIGS);

export function wrn(id: WrnId, options: NetworkOptions): Wrn {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, WRN_CONFIGS[id], options.numClasses);

  return {
    id,
    numClasses: options.numClasses,
    params,
    layers,
    apply(x, { training }) {
      return preActivationForward(layers, layers.stem.apply(x), training, (block, h) => block.apply(h, training));
    },
    classifier: layers.fc,
    head: (penultimate) => layers.fc.apply(penultimate),
    dispose: () => params.dispose(),
  };
}

/**
 * The pre-activation WRNs' forward after the stem (RepDistiller's and REFILLED's): the stages, then the final
 * BN and ReLU, whose output stands for the last stage among the taps (RepDistiller's `is_feat` list), global
 * pooling (RepDistiller's avg_pool2d(8) on the 8x8 map of a 32x32 input; global pooling also fits other
 * sizes) and `fc`.
 */
export function preActivationForward<Block>(
  layers: { readonly stages: readonly (readonly Block[])[]; readonly bn: BatchNorm; readonly fc: Dense },
  stem: tf.Tensor4D,
  training: boolean,
  applyBlock: (block: Block, h: tf.Tensor4D) => tf.Tensor4D,
): ModelOutput {
  const sums = runStages(layers.stages, stem, applyBlock);
  const last = tf.relu(layers.bn.apply(sums[sums.length - 1]!, training));
  const penultimate = globalAveragePool(last);
  return { logits: layers.fc.apply(penultimate), features: { stem, stages: [...sums.slice(0, -1), last], penultimate } };
}

// Creation order decides which random draws each parameter gets: PyTorch's module order.
function buildLayers(params: ParamStore, config: WrnConfig, numClasses: number): WrnLayers {
  const k = config.widen;
  const blocks = (config.depth - 4) / 6;
  const stem = conv2d(params, 'stem/conv', { inChannels: 3, outChannels: 16, kernelSize: 3, bias: false });
  // RepDistiller's three NetworkBlocks: stage1 keeps the resolution, stage2 and stage3 halve it.
  const specs = [
    { width: 16 * k, stride: 1 },
    { width: 32 * k, stride: 2 },
    { width: 64 * k, stride: 2 },
  ];
  let inChannels = 16;
  const stages = specs.map(({ width, stride }, s) => {
    const stage = Array.from({ length: blocks }, (_, b) =>
      preActBlock(params, `stage${s + 1}/block${b}`, b === 0 ? inChannels : width, width, b === 0 ? stride : 1),
    );
    inChannels = width;
    return stage;
  });
  const bn = batchNorm(params, 'bn', inChannels);
  return { stem, stages, bn, fc: zeroBiasDense(params, 'fc', inChannels, numClasses) };
}

function preActBlock(params: ParamStore, name: string, inChannels: number, outChannels: number, stride: number): PreActBlock {
  const bn1 = batchNorm(params, `${name}/bn1`, inChannels);
  const conv1 = conv2d(params, `${name}/conv1`, { inChannels, outChannels, kernelSize: 3, stride, bias: false });
  const bn2 = batchNorm(params, `${name}/bn2`, outChannels);
  const conv2 = conv2d(params, `${name}/conv2`, { inChannels: outChannels, outChannels, kernelSize: 3, bias: false });
  // RepDistiller projects exactly when the width changes (`equalInOut`); no WRN block strides at constant width.
  const shortcut = inChannels === outChannels ? null : conv2d(params, `${name}/shortcut`, { inChannels, outChannels, kernelSize: 1, stride, bias: false });
  return {
    kind: 'preActBlock',
    bn1,
    conv1,
    bn2,
    conv2,
    shortcut,
    apply(x, training) {
      const a = tf.relu(bn1.apply(x, training));
      const h = conv2.apply(tf.relu(bn2.apply(conv1.apply(a), training)));
      return tf.add<tf.Tensor4D>(h, shortcut ? shortcut.apply(a) : x);
    },
  };
}

/** PyTorch's default Linear weight (uniform, bound 1/sqrt(in)) with the bias zeroed, as wrn.py initialises fc. */
function zeroBiasDense(params: ParamStore, name: string, inFeatures: number, outFeatures: number): Dense {
  const weight = params.create(`${name}/weight`, [inFeatures, outFeatures], params.uniform(inFeatures * outFeatures, 1 / Math.sqrt(inFeatures)));
  const bias = params.create(`${name}/bias`, [outFeatures], new Float32Array(outFeatures));
  return { kind: 'dense', weight, bias, apply: (x) => tf.add(tf.matMul(x, weight as tf.Tensor2D), bias) };
}
