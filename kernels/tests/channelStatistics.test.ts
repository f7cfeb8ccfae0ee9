/**
 * BatchNorm's per-channel sums on the wasm backend (kernels/assembly/channelStatistics.ts, through
 * src/models/channelStatistics.ts) against float64 sums: as exact as float32 results of float64 sums can be,
 * where tfjs's own float32 reductions err by parts in 1e5 on a channel of 65,536 values. And training-mode
 * BatchNorm through them: its forward and all three gradients against a float64 reference.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { batchNormTraining } from '../../src/models/batchNormTraining';
import { channelGradientSums, channelMoments } from '../../src/models/channelStatistics';
import { startWasmBackend } from '../../src/training/wasm/wasmBackend';

/**
 * Uniform values in [-1, 1), offset from zero by `offset` plus `spread` times the channel, as a layer's
 * activations are: the offset is what float32 sums lose.
 */
function activations(rows: number, channels: number, seed: number, offset = 0, spread = 1): Float32Array {
  const rng = keyedRng(seed, 'channel-statistics-test');
  return Float32Array.from({ length: rows * channels }, (_, i) => offset + spread * (i % channels) + rng.next() * 2 - 1);
}

/** Per-channel float64 sums of f(i) over the rows of a [rows, channels] layout. */
function sums64(length: number, channels: number, term: (i: number) => number): Float64Array {
  const sums = new Float64Array(channels);
  for (let i = 0; i < length; i++) sums[i % channels]! += term(i);
  return sums;
}

function moments64(x: Float32Array, channels: number): { mean: Float64Array; variance: Float64Array } {
  const rows = x.length / channels;
  const mean = sums64(x.length, channels, (i) => x[i]!).map((s) => s / rows);
  const variance = sums64(x.length, channels, (i) => (x[i]! - mean[i % channels]!) ** 2).map((s) => s / rows);
  return { mean, variance };
}

/** Largest |actual - expected| / |expected|. */
function worstRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  return Math.max(...Array.from(expected, (e, i) => Math.abs(actual[i]! - e) / Math.abs(e)));
}

/** Half a float32 ulp, relative: the error of rounding an exact value to float32 once. */
const FLOAT32_ROUNDING = 2 ** -24;

beforeAll(async () => {
  expect(await startWasmBackend()).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('BatchNorm channel statistics on wasm, accumulated in float64', () => {
  it('moments of a 64x32x32 batch are float64 sums rounded once, far nearer than float32 reductions', async () => {
    const channels = 6;
    const values = activations(64 * 32 * 32, channels, 1, 3);
    const x = tf.tensor4d(values, [64, 32, 32, channels]);
    const { mean, variance } = channelMoments(x);
    const expected = moments64(values, channels);
    expect(worstRelative(await mean.data(), expected.mean)).toBeLessThanOrEqual(FLOAT32_ROUNDING);
    expect(worstRelative(await variance.data(), expected.variance)).toBeLessThanOrEqual(FLOAT32_ROUNDING);
    // What the kernel replaces: tfjs's float32 mean on the same backend errs by orders of magnitude more.
    const float32Mean = tf.mean(x, [0, 1, 2]);
    expect(worstRelative(await float32Mean.data(), expected.mean)).toBeGreaterThan(100 * FLOAT32_ROUNDING);
    tf.dispose([x, mean, variance, float32Mean]);
  });

  it('gradient sums of [rows, C] and [N, H, W, C] inputs, channel counts off any block', async () => {
    for (const shape of [[37, 5], [3, 7, 9, 33], [2, 4, 4, 16]]) {
      const channels = shape[shape.length - 1]!;
      const size = shape.reduce((a, b) => a * b, 1);
      const [dyValues, xhatValues] = [activations(size / channels, channels, 2, 0.5), activations(size / channels, channels, 3)];
      const [dy, xhat] = [tf.tensor(dyValues, shape), tf.tensor(xhatValues, shape)];
      const { dBeta, dGamma } = channelGradientSums(dy, xhat);
      expect(dBeta.shape).toEqual([channels]);
      expect(worstRelative(await dBeta.data(), sums64(size, channels, (i) => dyValues[i]!))).toBeLessThanOrEqual(FLOAT32_ROUNDING);
      expect(worstRelative(await dGamma.data(), sums64(size, channels, (i) => dyValues[i]! * xhatValues[i]!))).toBeLessThanOrEqual(FLOAT32_ROUNDING);
      tf.dispose([dy, xhat, dBeta, dGamma]);
    }
  });

  it('training-mode BatchNorm: output, dx, dGamma and dBeta against float64, ten times nearer than with float32 sums', async () => {
    // Relative RMS errors measured here: output 2.7e-7, dx 5.9e-8, dGamma 2.7e-7, dBeta 3.6e-8; with tfjs's
    // float32 reductions instead 5.2e-6, 5.6e-7, 4.0e-6 and 9.8e-7 (and 3.1e-5, 3.3e-6, 2.4e-5, 2.9e-6 at
    // batch 64 and 32x32, where PyTorch's are 1.1e-7 for the output and 6e-8 for dx).
    const [rows, channels, epsilon] = [8 * 16 * 16, 8, 1e-5];
    const xValues = activations(rows, channels, 4, 2);
    // Gradients centred on zero, as a loss's are: an offset would make sum(dy * xhat) cancel to noise.
    const dyValues = activations(rows, channels, 5, 0, 0);
    const gammaValues = Float32Array.from({ length: channels }, (_, c) => 0.5 + c / 8);
    const betaValues = Float32Array.from({ length: channels }, (_, c) => c / 10 - 0.3);
    const [x, dy, gamma, beta] = [tf.tensor4d(xValues, [8, 16, 16, channels]), tf.tensor4d(dyValues, [8, 16, 16, channels]), tf.tensor1d(gammaValues), tf.tensor1d(betaValues)];
    const forward = (input: tf.Tensor, scale: tf.Tensor, shift: tf.Tensor) => {
      const { y, mean, variance } = batchNormTraining(input as tf.Tensor4D, scale as tf.Tensor1D, shift as tf.Tensor1D, epsilon);
      tf.dispose([mean, variance]);
      return tf.sum(tf.mul(y, dy));
    };
    const { value, grads } = tf.valueAndGrads(forward)([x, gamma, beta]);
    const output = tf.tidy(() => batchNormTraining(x, gamma, beta, epsilon).y);
    // Float64 reference: y = xhat * gamma + beta; dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat)).
    const { mean, variance } = moments64(xValues, channels);
    const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
    const xhat = Float64Array.from(xValues, (v, i) => (v - mean[i % channels]!) * invStd[i % channels]!);
    const dBeta = sums64(xValues.length, channels, (i) => dyValues[i]!);
    const dGamma = sums64(xValues.length, channels, (i) => dyValues[i]! * xhat[i]!);
    const dx = Float64Array.from(dyValues, (d, i) => {
      const c = i % channels;
      return gammaValues[c]! * invStd[c]! * (d - dBeta[c]! / rows - (xhat[i]! * dGamma[c]!) / rows);
    });
    const loss = sums64(xValues.length, 1, (i) => (xhat[i]! * gammaValues[i % channels]! + betaValues[i % channels]!) * dyValues[i]!)[0]!;
    const relativeRms = (actual: ArrayLike<number>, expected: Float64Array) => {
      const [error, size] = expected.reduce(([e, s], v, i) => [e + (actual[i]! - v) ** 2, s + v * v], [0, 0]);
      return Math.sqrt(error / size);
    };
    const y = Float64Array.from(xhat, (v, i) => v * gammaValues[i % channels]! + betaValues[i % channels]!);
    expect(Math.abs((await value.data())[0]! - loss) / Math.abs(loss)).toBeLessThan(1e-5);
    expect(relativeRms(await output.data(), y)).toBeLessThan(1e-6);
    expect(relativeRms(await grads[0]!.data(), dx)).toBeLessThan(2e-7);
    expect(relativeRms(await grads[1]!.data(), dGamma)).toBeLessThan(1e-6);
    expect(relativeRms(await grads[2]!.data(), dBeta)).toBeLessThan(2e-7);
    tf.dispose([x, dy, gamma, beta, value, output, ...grads]);
  });
});
