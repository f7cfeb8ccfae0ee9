/**
 * Layers as explicit parameters plus pure apply functions (no tf.layers black box), so methods can reach
 * weights, BatchNorm statistics and intermediate activations (FitNets, CA-MKD, LRP).
 *
 * Initialisation follows the PyTorch reference models (RepDistiller): Kaiming-normal fan-out convolutions,
 * BatchNorm gamma 1 / beta 0, PyTorch's default uniform init for linear layers and conv biases. Values are
 * drawn in JS from a seeded generator, so a seed gives the same network on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/random';
import { batchNormTraining } from './batchNormTraining';

/**
 * What one BatchNorm layer saw during an observed forward pass (`ParamStore.observeBatchStatistics`): the
 * per-channel batch mean and biased batch variance of its input, taken on the gradient tape, and its running
 * statistics (the variables themselves, read after the layer ran, as a PyTorch forward hook reads them).
 */
export interface BatchStatistics {
  /** The layer's local name, e.g. "stage1/block0/bn1". */
  readonly layer: string;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
  readonly runningMean: tf.Tensor1D;
  readonly runningVariance: tf.Tensor1D;
}

/** Owns every variable of one network, by name, in creation order. */
export class ParamStore {
  readonly #variables = new Map<string, tf.Variable>();
  readonly #trainable: tf.Variable[] = [];
  /** Collects BatchNorm statistics while `observeBatchStatistics` runs; null otherwise. */
  #batchStatistics: BatchStatistics[] | null = null;

  constructor(
    /** The network's name (e.g. "student"), for messages. */
    readonly prefix: string,
    readonly rng: Rng,
  ) {}

  /** Creates a variable; `values` are in tfjs (row-major) order for `shape`. */
  create(name: string, shape: number[], values: Float32Array, trainable = true): tf.Variable {
    if (this.#variables.has(name)) throw new Error(`Parameter "${this.prefix}/${name}" defined twice`);
    // tfjs names variables uniquely itself: networks of earlier runs (cached teachers) coexist with new ones.
    // Local names (`stage1/block0/conv1/kernel`) stay in `named`, for saving and inspection.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), trainable));
    this.#variables.set(name, variable);
    if (trainable) this.#trainable.push(variable);
    return variable;
  }

  get trainable(): readonly tf.Variable[] {
    return this.#trainable;
  }

  /** All variables (trainable and BatchNorm running statistics) by local name. */
  get named(): ReadonlyMap<string, tf.Variable> {
    return this.#variables;
  }

  /** Variables that are not trained by gradient: BatchNorm running statistics. */
  get statistics(): tf.Variable[] {
    return [...this.#variables.values()].filter((v) => !v.trainable);
  }

  /** Number of trainable scalars. */
  get trainableCount(): number {
    return this.#trainable.reduce((sum, v) => sum + v.size, 0);
  }

  normal(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.rng.normal() * std;
    return out;
  }

  uniform(count: number, bound: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (this.rng.next() * 2 - 1) * bound;
    return out;
  }

  /**
   * Runs `fn` (one forward pass of this store's network) and returns, with its result, the statistics of
   * every BatchNorm layer it applied, in call order: DeepInversion's feature hook (TA-DFKD's L_BNS) without
   * changing any apply signature. Scoped to this store and to the call. The mean/variance tensors belong to
   * the caller's tidy or gradient scope, so `fn` must not dispose them in a tidy of its own.
   */
  observeBatchStatistics<T>(fn: () => T): { result: T; statistics: BatchStatistics[] } {
    if (this.#batchStatistics) throw new Error(`BatchNorm statistics of "${this.prefix}" are already being observed`);
    const statistics: BatchStatistics[] = [];
    this.#batchStatistics = statistics;
    try {
      return { result: fn(), statistics };
    } finally {
      this.#batchStatistics = null;
    }
  }

  /** Whether a BatchNorm layer of this store must report its batch statistics. */
  get observingBatchStatistics(): boolean {
    return this.#batchStatistics !== null;
  }

  /** Called by `batchNorm` layers while observed; a no-op otherwise. */
  reportBatchStatistics(statistics: BatchStatistics): void {
    this.#batchStatistics?.push(statistics);
  }

  dispose(): void {
    for (const variable of this.#variables.values()) variable.dispose();
    this.#variables.clear();
    this.#trainable.length = 0;
  }
}

export interface Conv2d {
  readonly kind: 'conv2d';
  readonly kernel: tf.Variable; // [kh, kw, in, out]
  readonly bias: tf.Variable | null;
  readonly stride: number;
  readonly pad: number;
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Symmetric zero padding, as PyTorch's `padding` (default: kernelSize / 2 rounded down). */
  pad?: number;
  bias?: boolean;
  /**
   * 'kaimingFanOut' (default): N(0, sqrt(2 / (k·k·out))), RepDistiller's explicit init in most families.
   * 'torchDefault': PyTorch's own Conv2d init (kaiming_uniform with a = sqrt(5)), U(±1 / sqrt(fan_in)), for
   * the models that never re-initialise (the ShuffleNets).
   */
  init?: ConvInit;
}

export type ConvInit = 'kaimingFanOut' | 'torchDefault';

/** A conv kernel's initial values, [k, k, inPerGroup, out] in row-major order; `inPerGroup` is in / groups. */
export function convKernelInit(store: ParamStore, init: ConvInit, k: number, inPerGroup: number, outChannels: number): Float32Array {
  const count = k * k * inPerGroup * outChannels;
  return init === 'torchDefault' ? store.uniform(count, 1 / Math.sqrt(inPerGroup * k * k)) : store.normal(count, Math.sqrt(2 / (outChannels * k * k)));
}

export function conv2d(store: ParamStore, name: string, options: Conv2dOptions): Conv2d {
  const { inChannels, outChannels, kernelSize: k } = options;
  const stride = options.stride ?? 1;
  const pad = options.pad ?? Math.floor(k / 2);
  const fanIn = inChannels * k * k;
  const kernel = store.create(`${name}/kernel`, [k, k, inChannels, outChannels], convKernelInit(store, options.init ?? 'kaimingFanOut', k, inChannels, outChannels));
  const bias = options.bias ? store.create(`${name}/bias`, [outChannels], store.uniform(outChannels, 1 / Math.sqrt(fanIn))) : null;
  return {
    kind: 'conv2d',
    kernel,
    bias,
    stride,
    pad,
    apply(x) {
      const y = tf.conv2d(x, kernel as tf.Tensor4D, stride, pad);
      return bias ? tf.add(y, bias) : y;
    },
  };
}

export interface BatchNorm {
  readonly kind: 'batchNorm';
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVariance: tf.Variable;
  readonly epsilon: number;
  /** Training mode normalises with batch statistics and updates the running ones; eval mode uses them. */
  apply<T extends tf.Tensor2D | tf.Tensor4D>(x: T, training: boolean): T;
}

export interface BatchNormOptions {
  epsilon?: number;
  /** PyTorch convention: running = (1 - momentum) * running + momentum * batch. */
  momentum?: number;
}

export function batchNorm(store: ParamStore, name: string, channels: number, options: BatchNormOptions = {}): BatchNorm {
  const epsilon = options.epsilon ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const gamma = store.create(`${name}/gamma`, [channels], new Float32Array(channels).fill(1));
  const beta = store.create(`${name}/beta`, [channels], new Float32Array(channels));
  const runningMean = store.create(`${name}/runningMean`, [channels], new Float32Array(channels), false);
  const runningVariance = store.create(`${name}/runningVariance`, [channels], new Float32Array(channels).fill(1), false);
  return {
    kind: 'batchNorm',
    gamma,
    beta,
    runningMean,
    runningVariance,
    epsilon,
    apply(x, training) {
      if (store.observingBatchStatistics) {
        // Biased batch moments, also in eval mode: they stay on the tape for L_BNS's gradient.
        const { mean, variance } = tf.moments(x, x.rank === 4 ? [0, 1, 2] : [0]) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
        store.reportBatchStatistics({ layer: name, mean, variance, runningMean: runningMean as tf.Tensor1D, runningVariance: runningVariance as tf.Tensor1D });
      }
      if (!training) return tf.batchNorm(x, runningMean, runningVariance, beta, gamma, epsilon) as typeof x;
      // One op with its own gradient (batchNormTraining.ts); the moments it returns are off the tape.
      const { y, mean, variance } = batchNormTraining(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, epsilon);
      const count = x.size / channels;
      // The running variance is unbiased, as in PyTorch; the batch is normalised with the biased one.
      // `assign` is not recorded on the gradient tape, so this is safe inside a loss closure.
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
      runningVariance.assign(tf.add(tf.mul(runningVariance, 1 - momentum), tf.mul(variance, (momentum * count) / Math.max(count - 1, 1))));
      tf.dispose([mean, variance]);
      return y;
    },
  };
}

export interface Dense {
  readonly kind: 'dense';
  readonly weight: tf.Variable; // [in, out]
  readonly bias: tf.Variable;
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

export function dense(store: ParamStore, name: string, inFeatures: number, outFeatures: number): Dense {
  const bound = 1 / Math.sqrt(inFeatures);
  const weight = store.create(`${name}/weight`, [inFeatures, outFeatures], store.uniform(inFeatures * outFeatures, bound));
  const bias = store.create(`${name}/bias`, [outFeatures], store.uniform(outFeatures, bound));
  return {
    kind: 'dense',
    weight,
    bias,
    apply: (x) => tf.add(tf.matMul(x, weight as tf.Tensor2D), bias),
  };
}

/** A bias-free convolution followed by BatchNorm: the unit of the CIFAR ResNets and MobileNetV2. */
export interface ConvBn {
  readonly kind: 'convBn';
  readonly conv: Conv2d;
  readonly bn: BatchNorm;
  /** Pre-activation output: the caller decides whether a ReLU (or a residual add) follows. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

export function convBn(store: ParamStore, convName: string, bnName: string, options: Conv2dOptions): ConvBn {
  // conv2d's default padding is floor(k / 2): PyTorch's padding=1 for 3x3 and 0 for 1x1.
  const conv = conv2d(store, convName, { ...options, bias: false });
  const bn = batchNorm(store, bnName, options.outChannels);
  return { kind: 'convBn', conv, bn, apply: (x, training) => bn.apply(conv.apply(x), training) };
}

/** Global average pooling, NHWC -> NC. */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}

export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.maxPool(x, 2, 2, 'valid');
}
