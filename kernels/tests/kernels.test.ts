/**
 * Each kernel registered for the wasm backend (src/training/wasm/trainingKernels.ts, computing in the
 * AssemblyScript module built from kernels/assembly) against a float64 reference, on random shapes: strides
 * 1 and 2, 'same', 'valid' and explicit padding, odd sizes, batch 1, 1x1 filters, channel counts off the
 * SIMD blocks. Error measure: |actual - expected| / (|expected| + max|expected| / 100) <= 1e-4, so a sum
 * that cancels to near zero is judged against the size of its terms, as float32 arithmetic allows.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWasmBackend } from '../../src/training/wasm/wasmBackend';
import { WASM_REPLACED_KERNELS, WASM_TRAINING_KERNELS } from '../../src/training/wasm/trainingKernels';
import { randomTensor } from './randomTensor';
import { depthwiseFilterGradReference, depthwiseInputGradReference, filterGradReference, inputGradReference, worstRelativeError, type Geometry } from './reference';

const TOLERANCE = 1e-4;

interface Case {
  batch: number;
  h: number;
  w: number;
  inC: number;
  outC: number;
  k: number;
  stride: 1 | 2;
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { batch: 2, h: 8, w: 8, inC: 16, outC: 32, k: 3, stride: 1, pad: 1 },
  { batch: 1, h: 9, w: 7, inC: 3, outC: 16, k: 3, stride: 1, pad: 'same' },
  { batch: 3, h: 11, w: 11, inC: 8, outC: 20, k: 3, stride: 2, pad: 1 },
  { batch: 2, h: 8, w: 8, inC: 16, outC: 32, k: 1, stride: 2, pad: 0 },
  { batch: 1, h: 5, w: 6, inC: 5, outC: 7, k: 3, stride: 2, pad: 'valid' },
  { batch: 2, h: 7, w: 7, inC: 12, outC: 36, k: 1, stride: 1, pad: 'same' },
  { batch: 1, h: 6, w: 9, inC: 4, outC: 18, k: 5, stride: 1, pad: 2 },
  { batch: 2, h: 10, w: 10, inC: 33, outC: 17, k: 3, stride: 2, pad: 'same' },
  { batch: 2, h: 9, w: 13, inC: 37, outC: 24, k: 3, stride: 1, pad: 1 },
];

const random = (shape: number[], seed: number): tf.Tensor => randomTensor(shape, seed);

function geometry(c: Case, depthwise: boolean): { g: Geometry; info: tf.backend_util.Conv2DInfo } {
  const info = tf.backend_util.computeConv2DInfo([c.batch, c.h, c.w, c.inC], [c.k, c.k, c.inC, depthwise ? 1 : c.outC], c.stride, 1, c.pad, undefined, depthwise);
  const g = { batch: c.batch, inH: c.h, inW: c.w, inC: c.inC, outH: info.outHeight, outW: info.outWidth, kH: c.k, kW: c.k, stride: c.stride, top: info.padInfo.top, left: info.padInfo.left };
  return { g, info };
}

function label(c: Case): string {
  return `batch ${c.batch}, ${c.h}x${c.w}x${c.inC} -> ${c.outC}, ${c.k}x${c.k}, stride ${c.stride}, pad ${c.pad}`;
}

beforeAll(async () => {
  expect(await startWasmBackend()).toBe(true);
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('wasm training kernels against a float64 reference', () => {
  it('registers every kernel it names for wasm', () => {
    expect(WASM_TRAINING_KERNELS).toEqual(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'DistilleryChannelMoments', 'DistilleryChannelGradientSums']);
    expect(WASM_REPLACED_KERNELS).toEqual(['Conv2DBackpropInput']);
    for (const name of [...WASM_TRAINING_KERNELS, ...WASM_REPLACED_KERNELS]) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  CASES.forEach((c, i) => {
    it(`Conv2DBackpropFilter: ${label(c)}`, async () => {
      const { g, info } = geometry(c, false);
      const x = random([c.batch, c.h, c.w, c.inC], 10 + i);
      const dy = random([c.batch, info.outHeight, info.outWidth, c.outC], 20 + i);
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.inC, c.outC] }) as tf.Tensor;
      const expected = filterGradReference((await x.data()) as Float32Array, (await dy.data()) as Float32Array, g, c.outC);
      expect(worstRelativeError(await dw.data(), expected)).toBeLessThan(TOLERANCE);
      tf.dispose([x, dy, dw]);
    });

    it(`Conv2DBackpropInput: ${label(c)}`, async () => {
      const { g, info } = geometry(c, false);
      const w = random([c.k, c.k, c.inC, c.outC], 70 + i);
      const dy = random([c.batch, info.outHeight, info.outWidth, c.outC], 80 + i);
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.batch, c.h, c.w, c.inC] }) as tf.Tensor;
      const expected = inputGradReference((await dy.data()) as Float32Array, (await w.data()) as Float32Array, g, c.outC);
      expect(worstRelativeError(await dx.data(), expected)).toBeLessThan(TOLERANCE);
      tf.dispose([w, dy, dx]);
    });

    it(`depthwise gradients: ${label(c)}`, async () => {
      const { g, info } = geometry(c, true);
      const x = random([c.batch, c.h, c.w, c.inC], 30 + i);
      const w = random([c.k, c.k, c.inC, 1], 40 + i);
      const dy = random([c.batch, info.outHeight, info.outWidth, c.inC], 50 + i);
      const attrs = { strides: c.stride, pad: c.pad, dilations: 1 };
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: [c.k, c.k, c.inC, 1] }) as tf.Tensor;
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [c.batch, c.h, c.w, c.inC] }) as tf.Tensor;
      const [xs, ws, dys] = (await Promise.all([x.data(), w.data(), dy.data()])) as Float32Array[];
      expect(worstRelativeError(await dw.data(), depthwiseFilterGradReference(xs!, dys!, g))).toBeLessThan(TOLERANCE);
      expect(worstRelativeError(await dx.data(), depthwiseInputGradReference(dys!, ws!, g))).toBeLessThan(TOLERANCE);
      tf.dispose([x, w, dy, dw, dx]);
    });
  });

  it('gradients through conv2d then depthwiseConv2d match the CPU backend', async () => {
    const inputs = [random([2, 9, 9, 6], 60), random([3, 3, 6, 8], 61), random([3, 3, 8, 1], 62)];
    const loss = (x: tf.Tensor, w: tf.Tensor, d: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), d as tf.Tensor4D, 1, 'same')));
    const gradients = async () => {
      const grads = tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)(inputs);
      const values = await Promise.all(grads.map((t) => t.data()));
      tf.dispose(grads);
      return values;
    };
    const onWasm = await gradients();
    await tf.setBackend('cpu');
    const onCpu = await gradients();
    await tf.setBackend('wasm');
    onWasm.forEach((values, i) => expect(worstRelativeError(values, onCpu[i]!)).toBeLessThan(TOLERANCE));
    tf.dispose(inputs);
  });

  it('the gradient of gather (UnsortedSegmentSum) matches the CPU backend: rows repeated, rows left out', async () => {
    // TA-DFKD's generator trains through the images its teacher keeps: gather's gradient scatters back.
    const images = random([5, 4, 4, 3], 70);
    const loss = (x: tf.Tensor) => tf.sum(tf.square(tf.gather(tf.tanh(x), tf.tensor1d([4, 0, 4, 2], 'int32'))));
    const gradient = async () => {
      const grad = tf.grad(loss)(images);
      const values = await grad.data();
      grad.dispose();
      return values;
    };
    const onWasm = await gradient();
    await tf.setBackend('cpu');
    const onCpu = await gradient();
    await tf.setBackend('wasm');
    expect(worstRelativeError(onWasm, onCpu)).toBeLessThan(TOLERANCE);
    // Rows 1 and 3 were left out: no gradient; row 4, taken twice, twice the gradient of one take.
    const row = (values: ArrayLike<number>, r: number) => Array.from(values).slice(r * 48, (r + 1) * 48);
    expect(row(onWasm, 1).every((v) => v === 0) && row(onWasm, 3).every((v) => v === 0)).toBe(true);
    const ids = tf.tensor1d([1, -1, 0, 3], 'int32');
    const sums = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [30, 40], [5, 6], [7, 8]]), ids, 2);
    expect(Array.from(await sums.data())).toEqual([5, 6, 1, 2]);
    tf.dispose([images, ids, sums]);
  });
});
