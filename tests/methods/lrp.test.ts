// Layer-wise relevance propagation over the zoo's CNNs: the walker's forward must be the model's own
// eval-mode forward, and the rules must keep LRP's defining properties (conservation, LRP-0 = gradient ×
// input on bias-free ReLU nets, z+ sign, gamma → epsilon, the dense rule of relevance.ts).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { lrpDense, type DenseLayer, type LrpRule } from '../../src/methods/relevance';
import { lrpLogits, lrpOracleInput, lrpRelevance } from '../../src/methods/lrp';
import { denseLayer } from '../../src/methods/lrp/rules';
import { LrpTrace } from '../../src/methods/lrp/trace';
import { MODEL_IDS, type ModelId } from '../../src/contract/modelCatalog';
import type { Network } from '../../src/models/network';
import { buildNetwork } from '../../src/models/zoo';
import { failOnTensorLeaks } from '../helpers/leaks';

const TINY_EPSILON: LrpRule = { name: 'epsilon', epsilon: 1e-9 };
/** Networks fast enough on the CPU backend for a batch of 2; the others check one sample. */
const SMALL = new Set<ModelId>(['tiny-cnn', 'resnet8', 'resnet14', 'wrn_16_1', 'mobilenetv2']);
/**
 * The slowest networks check parity on a 16x16 input (every family pools globally, so any size runs):
 * resnet8x4 already covers resnet32x4's widths and resnet32 its depth at 32x32, vgg13 the VGG layout.
 */
const SLOW = new Set<ModelId>(['resnet32x4', 'resnet50', 'resnet18_dfkd', 'resnet34_dfkd', 'vgg16', 'vgg19']);
const inputSize = (id: ModelId) => (SLOW.has(id) ? 16 : 32);

const build = (id: ModelId, seed = 1) => buildNetwork(id, { numClasses: 10, name: `lrp-${id}-${seed}`, seed });

/**
 * Random eval-mode BatchNorm statistics (a fresh net's are the identity, which would hide folding mistakes).
 * With `zeroShifts`, every bias, BN β and running mean is 0: a bias-free network.
 */
function setStatistics(net: Network, seed: number, zeroShifts: boolean): void {
  const rng = keyedRng(seed, 'lrp-test-statistics');
  const between = (low: number, high: number) => low + (high - low) * rng.next();
  for (const [name, variable] of net.params.named) {
    const part = name.split('/').at(-1);
    let draw: (() => number) | null = null;
    if (part === 'gamma' || part === 'runningVariance') draw = () => between(0.5, 1.5);
    else if (part === 'beta' || part === 'runningMean') draw = zeroShifts ? () => 0 : () => between(-0.2, 0.2);
    else if (part === 'bias' && zeroShifts) draw = () => 0;
    if (draw) tf.tidy(() => variable.assign(tf.tensor(Array.from({ length: variable.size }, draw), variable.shape)));
  }
}

/**
 * A fresh MobileNetV2 keeps RepDistiller's depthwise init (std sqrt(2 / (9·C)), ignoring groups), so with
 * identity running statistics its eval-mode activations shrink block after block and its logits end near
 * 1e-8, the scale of ε itself. Kernels at the grouped fan-out std sqrt(2 / 9) keep activations O(1).
 */
function rescaleDepthwise(net: Network): void {
  for (const [name, variable] of net.params.named) {
    if (name.endsWith('depthwise/conv/kernel')) tf.tidy(() => variable.assign(tf.mul(variable, Math.sqrt(variable.shape[2]!))));
  }
}

/**
 * The ShuffleNets keep PyTorch's default conv init, U(±1 / sqrt(fan_in)): variance 1 / (3·fan_in), a sixth of
 * what keeps a ReLU network's activations O(1), so with identity statistics a bias-free ShuffleV2's logits
 * end near 1e-6 and ε = 1e-9 is no longer negligible against them. Kernels times sqrt(6) restore the scale.
 */
function rescaleTorchDefault(net: Network): void {
  if (!net.id.startsWith('shuffle')) return;
  for (const [name, variable] of net.params.named) {
    if (name.endsWith('/kernel')) tf.tidy(() => variable.assign(tf.mul(variable, Math.sqrt(6))));
  }
}

const normalInput = (batch: number, seed: number, size = 32) => tf.randomNormal<tf.Rank.R4>([batch, size, size, 3], 0, 1, 'float32', seed);
const targetsOf = (values: number[]) => tf.tensor1d(values, 'int32');
const maxAbs = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0]!;
/** max |a − b| / max |b|. */
const relativeGap = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => maxAbs(tf.sub(a, b)) / maxAbs(b));
/** Each sample's logit at its target, [B]. */
const targetLogits = (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.sum(tf.mul(logits, tf.oneHot(targets, logits.shape[1])), 1);

failOnTensorLeaks();

describe('lrp walker', () => {
  it.each(MODEL_IDS.map((id) => [id]))("reproduces %s's eval-mode logits", (id) => {
    const net = build(id);
    setStatistics(net, 2, false);
    rescaleDepthwise(net); // else MobileNetV2's deep blocks barely reach its logits
    const gap = tf.tidy(() => {
      const x = normalInput(SMALL.has(id) ? 2 : 1, 3, inputSize(id));
      const expected = net.apply(x, { training: false }).logits;
      return maxAbs(tf.sub(lrpLogits(net, x), expected)) / Math.max(maxAbs(expected), 1e-3);
    });
    net.dispose();
    expect(gap).toBeLessThan(1e-4);
  });

  it('refuses a network whose layers it cannot walk, by name', () => {
    const tiny = build('tiny-cnn');
    const stranger: Network = { ...tiny, id: 'lenet' as ModelId };
    // A ResNet id on a network that exposes no layer tree.
    const layerless: Network = { ...tiny, id: 'resnet8' };
    tf.tidy(() => {
      const x = normalInput(1, 4);
      expect(() => lrpRelevance(stranger, x, targetsOf([0]), TINY_EPSILON)).toThrow(/LRP cannot walk network "lenet"/);
      expect(() => lrpRelevance(layerless, x, targetsOf([0]), TINY_EPSILON)).toThrow(/LRP cannot walk network "resnet8"/);
      expect(() => lrpRelevance(tiny, x, targetsOf([0, 1]), TINY_EPSILON)).toThrow(/one target per sample/);
    });
    tiny.dispose();
  });
});

describe('lrpRelevance', () => {
  // The ShuffleNets add grouped convolutions, channel shuffles and splits, concatenations and ShuffleV1's
  // average-pooled shortcut to what the others cover.
  it.each([['tiny-cnn'], ['resnet8'], ['wrn_16_1'], ['wrn_16_1_refilled'], ['vgg8'], ['mobilenetv2'], ['shufflev1'], ['shufflev2']] as const)(
    'conserves the target logit on a bias-free %s (epsilon → 0)',
    (id) => {
      const net = build(id, 5);
      setStatistics(net, 6, true);
      rescaleDepthwise(net);
      const [sums, logits] = tf.tidy(() => {
        const batch = SMALL.has(id) ? 2 : 1;
        const x = normalInput(batch, 7);
        const targets = targetsOf([3, 8].slice(0, batch));
        const relevance = lrpRelevance(net, x, targets, TINY_EPSILON);
        expect(relevance.shape).toEqual([batch, 32, 32, 3]);
        return [tf.sum(relevance, [1, 2, 3]).arraySync() as number[], targetLogits(net.apply(x, { training: false }).logits, targets).arraySync() as number[]];
      });
      net.dispose();
      sums.forEach((total, i) => expect(Math.abs(total - logits[i]!)).toBeLessThan(1e-3 * Math.abs(logits[i]!)));
    },
  );

  it.each([['tiny-cnn'], ['resnet8'], ['shufflev2']] as const)('equals gradient × input of the target logit on a bias-free %s (LRP-0)', (id) => {
    const net = build(id, 8);
    setStatistics(net, 9, true);
    rescaleTorchDefault(net);
    const gap = tf.tidy(() => {
      const x = normalInput(2, 10);
      const targets = targetsOf([1, 6]);
      const gradient = tf.grad((input) => tf.sum(targetLogits(net.apply(input as tf.Tensor4D, { training: false }).logits, targets)))(x);
      return relativeGap(lrpRelevance(net, x, targets, TINY_EPSILON), tf.mul(gradient, x));
    });
    net.dispose();
    expect(gap).toBeLessThan(1e-3);
  });

  it.each([['tiny-cnn'], ['vgg8']] as const)('z+ gives relevance of the target logit’s sign on non-negative inputs (%s)', (id) => {
    const net = build(id, 11);
    setStatistics(net, 12, false);
    const [wrongSign, logits] = tf.tidy(() => {
      const batch = SMALL.has(id) ? 2 : 1;
      const x = tf.randomUniform<tf.Rank.R4>([batch, 32, 32, 3], 0, 1, 'float32', 13);
      const targets = targetsOf([2, 5].slice(0, batch));
      const relevance = lrpRelevance(net, x, targets, { name: 'zplus' });
      const logit = targetLogits(net.apply(x, { training: false }).logits, targets);
      // Relevance times the sign of its sample's logit must be ≥ 0 everywhere.
      const signed = tf.mul(relevance, tf.reshape(tf.sign(logit), [-1, 1, 1, 1]));
      return [tf.sum(tf.cast(tf.less(signed, 0), 'int32')).dataSync()[0]!, logit.arraySync() as number[]];
    });
    net.dispose();
    expect(logits.every((z) => z !== 0)).toBe(true);
    expect(wrongSign).toBe(0);
  });

  it.each([['tiny-cnn'], ['resnet8']] as const)('approaches the epsilon rule linearly as γ → 0 (%s)', (id) => {
    const net = build(id, 14);
    setStatistics(net, 15, false);
    // A practical ε: at ε ≈ 0 a few near-zero denominators amplify any change of z (LRP-ε's known noise).
    const epsilon = 0.01;
    const gaps = tf.tidy(() => {
      const x = normalInput(1, 16);
      const targets = targetsOf([9]);
      const reference = lrpRelevance(net, x, targets, { name: 'epsilon', epsilon });
      return [1e-2, 1e-3, 1e-4, 0].map((gamma) => relativeGap(lrpRelevance(net, x, targets, { name: 'gamma', gamma, epsilon }), reference));
    });
    net.dispose();
    const [coarse, medium, fine, zero] = gaps as [number, number, number, number];
    expect(medium).toBeLessThan(0.3 * coarse);
    expect(fine).toBeLessThan(0.3 * medium);
    expect(fine).toBeLessThan(0.01);
    expect(zero).toBeLessThan(1e-6);
  });
});

describe('the dense rule', () => {
  let layers: DenseLayer[] = [];
  beforeAll(() => {
    const rng = keyedRng(17, 'lrp-test-dense');
    const widths = [6, 8, 5, 3];
    layers = widths.slice(1).map((out, l) => ({
      weight: tf.tensor2d(Array.from({ length: widths[l]! * out }, () => rng.normal()), [widths[l]!, out]),
      bias: tf.tensor1d(Array.from({ length: out }, () => 0.3 * rng.normal())),
    }));
  });
  afterAll(() => tf.dispose(layers.flatMap((l) => [l.weight, l.bias])));

  const rules: LrpRule[] = [{ name: 'epsilon', epsilon: 1e-6 }, { name: 'gamma', gamma: 0.25, epsilon: 1e-6 }, { name: 'zplus' }];
  it.each(rules.map((rule) => [rule.name, rule] as const))('agrees with relevance.ts lrpDense on a ReLU MLP (%s)', (_, rule) => {
    const gap = tf.tidy(() => {
      const x = tf.tensor2d([[0.5, -1, 2, 0.1, -0.3, 1.2], [1, 0.2, -0.7, 0.4, 0.9, -2]]);
      const targets = targetsOf([1, 2]);
      const trace = new LrpTrace(x);
      let h = trace.input;
      layers.forEach((layer, l) => {
        h = trace.affine(denseLayer(layer.weight, layer.bias), h);
        if (l < layers.length - 1) h = trace.relu(h);
      });
      const logits = trace.value(h);
      const start = tf.mul(logits, tf.oneHot(targets, 3));
      return relativeGap(trace.relevance(h, start, rule), lrpDense(layers, x, targets, rule));
    });
    expect(gap).toBeLessThan(1e-5);
  });
});

describe('lrpOracleInput', () => {
  let net: Network;
  beforeAll(() => {
    net = build('tiny-cnn', 18);
  });
  afterAll(() => net.dispose());

  it('keeps the shape, stays finite, and is x itself for γ = 0', () => {
    tf.tidy(() => {
      const x = normalInput(3, 19);
      const labels = targetsOf([0, 4, 7]);
      const star = lrpOracleInput(net, x, labels, { name: 'zplus' }, 0.5, 2);
      expect(star.shape).toEqual(x.shape);
      expect(tf.all(tf.isFinite(star)).dataSync()[0]).toBe(1);
      expect(maxAbs(tf.sub(lrpOracleInput(net, x, labels, TINY_EPSILON, 0), x))).toBe(0);
      expect(() => lrpOracleInput(net, x, labels, TINY_EPSILON, 1, 0)).toThrow(/steps/);
    });
  });

  it("raises the teacher's true-class logit for a small γ (epsilon rule)", () => {
    const [before, after] = tf.tidy(() => {
      const x = normalInput(4, 20);
      const labels = targetsOf([1, 3, 5, 7]);
      const star = lrpOracleInput(net, x, labels, { name: 'epsilon', epsilon: 1e-6 }, 0.5);
      const mean = (input: tf.Tensor4D) => tf.mean(targetLogits(net.apply(input, { training: false }).logits, labels)).dataSync()[0]!;
      return [mean(x), mean(star)];
    });
    expect(after).toBeGreaterThan(before);
  });

  it('leaves no tensors behind', () => {
    const x = normalInput(2, 21);
    const labels = targetsOf([2, 3]);
    const before = tf.memory().numTensors;
    tf.dispose([lrpRelevance(net, x, labels, { name: 'gamma', gamma: 0.25, epsilon: 1e-6 }), lrpOracleInput(net, x, labels, { name: 'zplus' }, 1, 2)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
  });
});
