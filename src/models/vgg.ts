/**
 * The CIFAR VGGs of RepDistiller (models/vgg.py, the `_bn` builds its model_dict uses): five blocks of
 * 3x3 conv-BN-ReLU, 2x2 max pooling after blocks 0-2 (and after block3 only for 64-px inputs, so block4 is
 * 4x4 on CIFAR), global average pooling and Linear(512, C). The convolutions keep PyTorch's bias.
 *
 * Feature taps are RepDistiller's f0..f4: each block's output after its last ReLU, before pooling.
 * `stem` is block0 (f0) and `stages` are blocks 1-4, so stages[1] is FitNets' hint layer 2 (block2, 8x8)
 * and stages[3] is CA-MKD's feat[-2] (block4, 512x4x4), the map the head pools.
 *
 * The layers are a plain tree (`VggLayers`) for code that walks the network layer by layer (LRP).
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import { ParamStore, batchNorm, conv2d, globalAveragePool, maxPool2x2 } from './layers';
import type { Conv2d, ConvBn, Dense } from './layers';
import { familyGuard, type LayeredNetwork, type NetworkOptions } from './network';

/** Output channels of each 3x3 conv, block by block (RepDistiller's cfg; every entry is one conv-BN-ReLU). */
type VggConfig = readonly [readonly number[], readonly number[], readonly number[], readonly number[], readonly number[]];

const VGG_CONFIGS = {
  vgg8: [[64], [128], [256], [512], [512]], // cfg 'S'
  vgg11: [[64], [128], [256, 256], [512, 512], [512, 512]], // cfg 'A'
  vgg13: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]], // cfg 'B'
  vgg16: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]], // cfg 'D'
  vgg19: [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]], // cfg 'E'
} as const satisfies Partial<Record<ModelId, VggConfig>>;

export type VggId = keyof typeof VGG_CONFIGS;

export interface VggLayers {
  /** blocks[0..4]; every unit is followed by a ReLU. */
  readonly blocks: readonly (readonly ConvBn[])[];
  /** Applied to the globally pooled block4. */
  readonly classifier: Dense;
}

/** A Vgg whose layers can be walked. */
export type Vgg = LayeredNetwork<VggId, VggLayers>;
export const isVgg = familyGuard<VggId, VggLayers>(VGG_CONFIGS);

/** Whether block `index` is preceded by a 2x2 max pool (RepDistiller's pool0..pool3) for this input size. */
export function poolsBefore(index: number, inputSize: number): boolean {
  return index >= 1 && (index <= 3 || inputSize === 64);
}

export function vgg(id: VggId, options: NetworkOptions): Vgg {
  const params = new ParamStore(options.name, keyedRng(options.seed, 'init', 0));
  const layers = buildLayers(params, VGG_CONFIGS[id], options.numClasses);

  return {
    id,
    numClasses: options.numClasses,
    params,
    layers,
    apply(x, { training }) {
      const maps: tf.Tensor4D[] = [];
      let h = x;
      layers.blocks.forEach((units, i) => {
        if (poolsBefore(i, x.shape[1])) h = maxPool2x2(h);
        for (const unit of units) h = tf.relu(unit.apply(h, training));
        maps.push(h);
      });
      // RepDistiller's AdaptiveAvgPool2d((1, 1)).
      const penultimate = globalAveragePool(h);
      return {
        logits: layers.classifier.apply(penultimate),
        features: { stem: maps[0]!, stages: maps.slice(1), penultimate },
      };
    },
    classifier: layers.classifier,
    head: (penultimate) => layers.classifier.apply(penultimate),
    dispose: () => params.dispose(),
  };
}

// Creation order decides which random draws each parameter gets: PyTorch's module order (block0..4, classifier).
function buildLayers(params: ParamStore, config: VggConfig, numClasses: number): VggLayers {
  let inChannels = 3;
  const blocks = config.map((widths, b) =>
    widths.map((outChannels, u) => {
      const unit = convBiasBn(params, `block${b}/unit${u}`, inChannels, outChannels);
      inChannels = outChannels;
      return unit;
    }),
  );
  return { blocks, classifier: smallNormalDense(params, 'classifier', inChannels, numClasses) };
}

/** 3x3 conv (bias zeroed, as vgg.py's _initialize_weights does) then BN. */
function convBiasBn(params: ParamStore, name: string, inChannels: number, outChannels: number): ConvBn {
  const bare = conv2d(params, `${name}/conv`, { inChannels, outChannels, kernelSize: 3, bias: false });
  const bias = params.create(`${name}/conv/bias`, [outChannels], new Float32Array(outChannels));
  const conv: Conv2d = { ...bare, bias, apply: (x) => tf.add(bare.apply(x), bias) };
  const bn = batchNorm(params, `${name}/bn`, outChannels);
  return { kind: 'convBn', conv, bn, apply: (x, training) => bn.apply(conv.apply(x), training) };
}

/**
 * The classifier init of vgg.py's _initialize_weights, which mobilenetv2.py copies verbatim:
 * weight ~ N(0, 0.01), bias 0.
 */
export function smallNormalDense(params: ParamStore, name: string, inFeatures: number, outFeatures: number): Dense {
  const weight = params.create(`${name}/weight`, [inFeatures, outFeatures], params.normal(inFeatures * outFeatures, 0.01));
  const bias = params.create(`${name}/bias`, [outFeatures], new Float32Array(outFeatures));
  return { kind: 'dense', weight, bias, apply: (x) => tf.add(tf.matMul(x, weight as tf.Tensor2D), bias) };
}
