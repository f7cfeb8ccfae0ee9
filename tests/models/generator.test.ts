import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { createGenerator, generatorParameterCount } from '../../src/models/generator';
import { failOnTensorLeaks } from '../helpers/leaks';

failOnTensorLeaks();

// Small widths keep the convolutions cheap; the structure is the same as the reference's nz 1000, ngf 64.
const SMALL = { nz: 6, ngf: 4, name: 'gen-test', seed: 5 } as const;

const values = (x: tf.Tensor) => Array.from(x.dataSync());

describe('createGenerator', () => {
  it('maps z [B, nz] to images [B, 32, 32, 3] in [0, 1]', () => {
    const generator = createGenerator(SMALL);
    const images = tf.tidy(() => generator.apply(generator.sample(3)));
    expect(images.shape).toEqual([3, 32, 32, 3]);
    const pixels = values(images);
    expect(pixels.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(new Set(pixels).size).toBeGreaterThan(100); // not collapsed to a constant
    images.dispose();
    generator.dispose();
  });

  it('has the parameters of gan.py: l1, three BatchNorms and three biased 3x3 convolutions', () => {
    const generator = createGenerator(SMALL);
    const shapes = Object.fromEntries([...generator.params.named].filter(([, v]) => v.trainable).map(([name, v]) => [name, v.shape]));
    expect(shapes).toEqual({
      'l1/weight': [6, 8 * 8 * 8],
      'l1/bias': [8 * 8 * 8],
      'bn0/gamma': [8],
      'bn0/beta': [8],
      'conv1/kernel': [3, 3, 8, 8],
      'conv1/bias': [8],
      'bn1/gamma': [8],
      'bn1/beta': [8],
      'conv2/kernel': [3, 3, 8, 4],
      'conv2/bias': [4],
      'bn2/gamma': [4],
      'bn2/beta': [4],
      'conv3/kernel': [3, 3, 4, 3],
      'conv3/bias': [3],
    });
    // 6·512 + 512 | 2·8 | 9·8·8 + 8 | 2·8 | 9·8·4 + 4 | 2·4 | 9·4·3 + 3
    expect(generator.params.trainableCount).toBe(3584 + 16 + 584 + 16 + 292 + 8 + 111);
    expect(generatorParameterCount(6, 4)).toBe(generator.params.trainableCount);
    // The reference's nz 1000, ngf 64: 8,200,192 + 256 + 147,584 + 256 + 73,792 + 128 + 1,731.
    expect(generatorParameterCount(1000, 64)).toBe(8_423_939);
    const { bn0, bn1, bn2 } = generator.layers;
    expect([bn0.epsilon, bn1.epsilon, bn2.epsilon]).toEqual([1e-5, 0.8, 0.8]);
    generator.dispose();
  });

  it('initialises like PyTorch: every weight and bias within ±1/√fan_in', () => {
    const generator = createGenerator(SMALL);
    const { fc, conv1, conv2, conv3 } = generator.layers;
    const within = (x: tf.Tensor, fanIn: number) => values(x).every((v) => Math.abs(v) <= 1 / Math.sqrt(fanIn));
    expect(within(fc.weight, 6) && within(fc.bias, 6)).toBe(true);
    expect(within(conv1.kernel, 72) && within(conv1.bias!, 72)).toBe(true);
    expect(within(conv2.kernel, 72) && within(conv2.bias!, 72)).toBe(true);
    expect(within(conv3.kernel, 36) && within(conv3.bias!, 36)).toBe(true);
    // Uniform(±b) has std b/√3: the kernels are not the zoo's Kaiming-normal ones (std √(2/fan_out)).
    const std = (x: tf.Tensor) => Math.sqrt(values(x).reduce((s, v) => s + v * v, 0) / x.size);
    expect(std(conv1.kernel)).toBeCloseTo(1 / Math.sqrt(72) / Math.sqrt(3), 1);
    generator.dispose();
  });

  it('views the linear output as NCHW (B, 2ngf, s, s), as gan.py does, before moving channels last', () => {
    const generator = createGenerator(SMALL);
    const z = generator.sample(4, keyedRng(1, 'z'));
    const [observed, expected] = tf.tidy(() => {
      const { statistics } = generator.params.observeBatchStatistics(() => generator.apply(z));
      expect(statistics.map((s) => s.layer)).toEqual(['bn0', 'bn1', 'bn2']);
      // bn0's input channel c must average the linear outputs c·64 .. c·64 + 63 (over the batch too).
      const linear = tf.reshape(generator.layers.fc.apply(z), [4, 8, 64]);
      return [statistics[0]!.mean, tf.mean(linear, [0, 2])];
    });
    const [a, b] = [values(observed!), values(expected!)];
    a.forEach((v, c) => expect(v).toBeCloseTo(b[c]!, 5));
    tf.dispose([z, observed!, expected!]);
    generator.dispose();
  });

  it('is deterministic for a seed: same weights, same noise, same images', () => {
    const run = (seed: number) => {
      const generator = createGenerator({ ...SMALL, seed });
      const images = tf.tidy(() => {
        const fromStream = generator.sample(2);
        const fromRng = generator.sample(2, keyedRng(9, 'noise', 0, 1));
        return tf.concat([generator.apply(fromStream), generator.apply(fromRng)]);
      });
      const pixels = values(images);
      images.dispose();
      generator.dispose();
      return pixels;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(6)).not.toEqual(run(5));
  });

  it('samples standard normal noise: a given rng fixes it, the own stream moves on', () => {
    const generator = createGenerator(SMALL);
    const [a, b, c, d] = [generator.sample(300, keyedRng(2, 'n')), generator.sample(300, keyedRng(2, 'n')), generator.sample(300), generator.sample(300)];
    expect(a!.shape).toEqual([300, 6]);
    expect(values(a!)).toEqual(values(b!));
    expect(values(c!)).not.toEqual(values(d!));
    const z = values(a!);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
    tf.dispose([a!, b!, c!, d!]);
    generator.dispose();
  });

  it('upsamples by nearest neighbour: each pixel becomes a 2x2 block (F.interpolate, scale 2)', () => {
    const up = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), [4, 4]));
    expect(values(up)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    up.dispose();
  });

  it('passes gradients to every trainable variable; BatchNorm cancels only the pre-BN conv biases', () => {
    const generator = createGenerator(SMALL);
    const z = generator.sample(3, keyedRng(3, 'z'));
    const target = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 11);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(generator.apply(z), target))), [...generator.params.trainable]);
    const names = new Map([...generator.params.named].map(([name, v]) => [v.name, name]));
    const norms = Object.fromEntries(Object.entries(grads).map(([id, g]) => [names.get(id), Math.sqrt(values(g).reduce((s, v) => s + v * v, 0))]));
    expect(Object.keys(norms)).toHaveLength(generator.params.trainable.length);
    expect(Object.values(norms).every(Number.isFinite)).toBe(true);
    // A per-channel constant before a training-mode BatchNorm is removed with the batch mean.
    const cancelled = ['conv1/bias', 'conv2/bias'];
    for (const [name, norm] of Object.entries(norms)) {
      if (cancelled.includes(name!)) expect(norm, name).toBeLessThan(1e-6);
      else expect(norm, name).toBeGreaterThan(1e-7);
    }
    tf.dispose([value, z, target, ...Object.values(grads)]);
    generator.dispose();
  });

  it('rejects an image size that is not a multiple of 4', () => {
    expect(() => createGenerator({ ...SMALL, imageSize: 30 })).toThrow(RangeError);
  });
});
