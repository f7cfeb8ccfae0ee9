/**
 * TA-DFKD's image generator (bigdata-inha/TA-DFKD-Official networks/gan.py, ../shared/spec/methods.md
 * Part B §3), in NHWC:
 *   z [B, nz] → Linear(nz → 2ngf·s·s) → [B, s, s, 2ngf] → BN(eps 1e-5) → LeakyReLU(0.2) → upsample ×2 (nearest)
 *   → Conv3x3(2ngf → 2ngf) → BN(eps 0.8) → LeakyReLU(0.2) → upsample ×2
 *   → Conv3x3(2ngf → ngf) → BN(eps 0.8) → LeakyReLU(0.2) → Conv3x3(ngf → 3) → Sigmoid,
 * with s = imageSize / 4, so images are [B, imageSize, imageSize, 3] in [0, 1]. The 0.8 epsilons are the
 * reference's positional `nn.BatchNorm2d(ngf, 0.8)`, kept for parity. The generator always trains, so its
 * BatchNorm layers always normalise with batch statistics.
 *
 * gan.py applies no custom initialisation, so every layer gets PyTorch's defaults: uniform(±1/√fan_in) for
 * linear and convolution weights and biases (kaiming_uniform with a = √5), gamma 1 and beta 0. The zoo's
 * Kaiming-normal fan-out convolution init would be ~10× larger on the last convolution and saturate the
 * sigmoid from the first step, so the kernels are redrawn here.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng, type Rng } from '../core/random';
import { ParamStore, batchNorm, conv2d, dense } from './layers';
import { upsampleNearest2x } from './resize';
import type { BatchNorm, Conv2d, Dense } from './layers';

export interface GeneratorOptions {
  /** Latent size (reference: 1000). */
  readonly nz?: number;
  /** Base width: the convolutions have 2·ngf, 2·ngf and ngf channels (reference: 64). */
  readonly ngf?: number;
  /** Output side, a multiple of 4 (32 for CIFAR, 64 for Tiny ImageNet). */
  readonly imageSize?: number;
  /** Names the variables (e.g. "generator"). */
  readonly name?: string;
  /** Seed of the initial weights and of the default noise stream. */
  readonly seed?: number;
}

export interface GeneratorLayers {
  readonly fc: Dense;
  readonly bn0: BatchNorm;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly conv3: Conv2d;
}

export interface Generator {
  readonly nz: number;
  readonly ngf: number;
  readonly imageSize: number;
  readonly params: ParamStore;
  readonly layers: GeneratorLayers;
  /**
   * z [B, nz] → images [B, imageSize, imageSize, 3] in [0, 1]. Updates the BatchNorm running statistics;
   * intermediate tensors belong to the caller's scope (call it inside tf.tidy or a gradient closure).
   */
  apply(z: tf.Tensor2D): tf.Tensor4D;
  /**
   * Standard normal z [batch, nz]. With an `rng` the draw depends on it alone (pass e.g.
   * `keyedRng(seed, 'noise', epoch, step)` so a resumed run draws the same); without one it comes from the
   * generator's own stream, seeded by `options.seed`.
   */
  sample(batch: number, rng?: Rng): tf.Tensor2D;
  dispose(): void;
}

export const GENERATOR_DEFAULTS = { nz: 1000, ngf: 64, imageSize: 32, name: 'generator', seed: 0 } as const;

/** The slope of every LeakyReLU in gan.py. */
const LEAKY_SLOPE = 0.2;
/** `nn.BatchNorm2d(c, 0.8)`: the second positional argument is eps. */
const UPSAMPLED_BN_EPSILON = 0.8;

export function createGenerator(options: GeneratorOptions = {}): Generator {
  const { nz, ngf, imageSize, name, seed } = { ...GENERATOR_DEFAULTS, ...options };
  if (!Number.isInteger(imageSize / 4) || imageSize < 4) throw new RangeError(`imageSize must be a positive multiple of 4, got ${imageSize}`);
  const initSize = imageSize / 4;
  const wide = 2 * ngf;
  const params = new ParamStore(name, keyedRng(seed, 'init', 0));
  // Creation order is gan.py's module order: l1, conv_blocks0, conv_blocks1, conv_blocks2.
  const layers: GeneratorLayers = {
    fc: dense(params, 'l1', nz, wide * initSize * initSize),
    bn0: batchNorm(params, 'bn0', wide),
    conv1: pytorchDefaultConv(params, 'conv1', wide, wide),
    bn1: batchNorm(params, 'bn1', wide, { epsilon: UPSAMPLED_BN_EPSILON }),
    conv2: pytorchDefaultConv(params, 'conv2', wide, ngf),
    bn2: batchNorm(params, 'bn2', ngf, { epsilon: UPSAMPLED_BN_EPSILON }),
    conv3: pytorchDefaultConv(params, 'conv3', ngf, 3),
  };
  const noise = keyedRng(seed, 'generator-noise');

  return {
    nz,
    ngf,
    imageSize,
    params,
    layers,
    // Like the zoo's networks, apply leaves intermediate tensors to the caller's tidy or gradient scope.
    apply(z) {
      const batch = z.shape[0];
      // gan.py views the linear output as NCHW (B, 2ngf, s, s); transposing keeps its element layout, so a
      // PyTorch l1 weight maps onto this one column for column.
      const features = tf.transpose(tf.reshape(layers.fc.apply(z), [batch, wide, initSize, initSize]), [0, 2, 3, 1]) as tf.Tensor4D;
      let h = tf.leakyRelu(layers.bn0.apply(features, true), LEAKY_SLOPE);
      h = upsampleNearest2x(h);
      h = tf.leakyRelu(layers.bn1.apply(layers.conv1.apply(h), true), LEAKY_SLOPE);
      h = upsampleNearest2x(h);
      h = tf.leakyRelu(layers.bn2.apply(layers.conv2.apply(h), true), LEAKY_SLOPE);
      return tf.sigmoid(layers.conv3.apply(h));
    },
    sample(batch, rng = noise) {
      // One draw of `rng` keys the noise stream, and the noise is the keyed generator's own normals (not
      // tfjs's randomNormal), so the PyTorch package (keyed_random.py) draws the very same values.
      const stream = keyedRng(1 + rng.int(0x7fffffff), 'generator-noise-values');
      const values = new Float32Array(batch * nz);
      for (let i = 0; i < values.length; i++) values[i] = stream.normal();
      return tf.tensor2d(values, [batch, nz]);
    },
    dispose: () => params.dispose(),
  };
}

/** Trainable scalars of a generator: l1, three BatchNorms (gamma, beta) and three biased convolutions. */
export function generatorParameterCount(nz: number, ngf: number, imageSize = 32): number {
  const wide = 2 * ngf;
  const linearOut = wide * (imageSize / 4) ** 2;
  const conv = (inChannels: number, outChannels: number) => 9 * inChannels * outChannels + outChannels;
  return nz * linearOut + linearOut + 2 * wide + conv(wide, wide) + 2 * wide + conv(wide, ngf) + 2 * ngf + conv(ngf, 3);
}

/** nn.Conv2d(in, out, 3, padding=1) with PyTorch's default init: weights and bias uniform(±1/√fan_in). */
function pytorchDefaultConv(params: ParamStore, name: string, inChannels: number, outChannels: number): Conv2d {
  const conv = conv2d(params, name, { inChannels, outChannels, kernelSize: 3, bias: true });
  const bound = 1 / Math.sqrt(inChannels * 9);
  const kernelShape = conv.kernel.shape;
  tf.tidy(() => conv.kernel.assign(tf.tensor(params.uniform(conv.kernel.size, bound), kernelShape)));
  return conv;
}
