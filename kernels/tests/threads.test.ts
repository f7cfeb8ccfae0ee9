/**
 * Kernel threads give the same bits as one thread: each kernel, through tfjs on the wasm backend,
 * on 1, 2 and 3 threads (Node worker threads), on shapes whose splits fall mid-tap, off the 4-channel blocks,
 * and with fewer images or channels than threads; then a whole training step of a ResNet-8 and a MobileNetV2. And a helper that
 * cannot start leaves the kernels on one thread, still right.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnNodeKernelThread } from '../../scripts/nodeKernelThreads';
import { buildNetwork } from '../../src/models/zoo';
import { kernelThreadCount, startKernelThreads, stopKernelThreads } from '../../src/training/wasm/kernelModule';
import { KERNEL_THREAD_SOURCE, type SpawnKernelThread } from '../../src/training/wasm/kernelThreads';
import { startWasmBackend } from '../../src/training/wasm/wasmBackend';
import { randomTensor } from './randomTensor';

const random = (shape: number[], seed: number): tf.Tensor => randomTensor(shape, seed, 'kernel-threads-test');

/** Both depthwise gradients on the case's input channels. */
function depthwiseResults(c: { batch: number; side: number; inC: number; k: number; stride: number }): tf.Tensor[] {
  const x = random([c.batch, c.side, c.side, c.inC], 5);
  const w = random([c.k, c.k, c.inC, 1], 6);
  const outSide = Math.ceil(c.side / c.stride);
  const dy = random([c.batch, outSide, outSide, c.inC], 7);
  const attrs = { strides: c.stride, pad: 'same', dilations: 1 } as const;
  const grads = [
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: [c.k, c.k, c.inC, 1] }) as tf.Tensor,
    tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
  ];
  tf.dispose([x, w, dy]);
  return grads;
}

/** Every kernel, on one case, as raw bits. */
async function kernelResults(c: { batch: number; side: number; inC: number; outC: number; k: number; stride: number }): Promise<Uint32Array[]> {
  const x = random([c.batch, c.side, c.side, c.inC], 1);
  const w = random([c.k, c.k, c.inC, c.outC], 2);
  const outSide = Math.ceil(c.side / c.stride);
  const dy = random([c.batch, outSide, outSide, c.outC], 3);
  const conv = { strides: c.stride, pad: 'same', dataFormat: 'NHWC' } as const;
  const outputs = [
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: [c.k, c.k, c.inC, c.outC] }) as tf.Tensor,
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...conv, inputShape: x.shape }) as tf.Tensor,
    ...(tf.engine().runKernel('DistilleryChannelMoments', { x }) as tf.Tensor[]),
    ...(tf.engine().runKernel('DistilleryChannelGradientSums', { dy: x, xhat: random(x.shape, 4) }) as tf.Tensor[]),
    ...depthwiseResults(c),
  ];
  const bits = await Promise.all(outputs.map(async (t) => new Uint32Array((await t.data()).slice().buffer)));
  tf.dispose([x, w, dy, ...outputs]);
  return bits;
}

let built = 0;

/** The gradients of one training step's loss, as raw bits, for a ResNet-8 and a MobileNetV2 (depthwise). */
async function trainingStepGradients(): Promise<Uint32Array[]> {
  return [...(await modelGradients('resnet8')), ...(await modelGradients('mobilenetv2'))];
}

async function modelGradients(model: 'resnet8' | 'mobilenetv2'): Promise<Uint32Array[]> {
  const network = buildNetwork(model, { numClasses: 10, name: `threads-${++built}`, seed: 5 });
  const images = random([8, 32, 32, 3], 6) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, network.apply(images, { training: true }).logits) as tf.Scalar);
  // Variable names carry the network's name: compare in creation order.
  const bits = await Promise.all(Object.values(grads).map(async (grad) => new Uint32Array((await grad.data()).slice().buffer)));
  tf.dispose([images, labels, ...Object.values(grads)]);
  network.dispose();
  return bits;
}

const CASES = [
  { batch: 3, side: 9, inC: 40, outC: 32, k: 3, stride: 1 }, // splits mid-tap; 3 depthwise units of 16 channels, the last short
  { batch: 2, side: 8, inC: 7, outC: 20, k: 3, stride: 2 }, // a channel block of 3; fewer images than threads
  { batch: 1, side: 6, inC: 2, outC: 5, k: 1, stride: 1 }, // one tap, one block, fewer channels than threads
];

beforeAll(async () => {
  expect(await startWasmBackend()).toBe(true);
});

afterAll(() => stopKernelThreads());

describe('kernel threads', () => {
  it('give the bits one thread gives, for every kernel and a whole training step', async () => {
    stopKernelThreads();
    const single = { kernels: await Promise.all(CASES.map(kernelResults)), step: await trainingStepGradients() };
    for (const threads of [2, 3]) {
      expect(await startKernelThreads(threads, spawnNodeKernelThread)).toBe(threads);
      expect(kernelThreadCount()).toBe(threads);
      expect(await Promise.all(CASES.map(kernelResults)), `kernels on ${threads} threads`).toEqual(single.kernels);
      expect(await trainingStepGradients(), `a ResNet-8 and a MobileNetV2 step on ${threads} threads`).toEqual(single.step);
    }
    stopKernelThreads();
    expect(kernelThreadCount()).toBe(1);
  }, 120_000);

  it('a call past the shared memory\'s ceiling runs on one thread in the plain build, with the same bits', async () => {
    const big = { batch: 8, side: 16, inC: 32, outC: 32, k: 3, stride: 1 }; // 768 KiB of tensors in one call
    stopKernelThreads();
    const single = { big: await kernelResults(big), small: await kernelResults(CASES[0]!) };
    // A 512 KiB ceiling: the small case still fits and runs split; the big one cannot grow the memory (a
    // RangeError that would fail the call) and runs whole in the plain build.
    expect(await startKernelThreads(2, spawnNodeKernelThread, 8)).toBe(2);
    expect(await kernelResults(big)).toEqual(single.big);
    expect(await kernelResults(CASES[0]!)).toEqual(single.small);
    stopKernelThreads();
  });

  it('a helper that cannot start leaves the kernels on one thread, with its reason', async () => {
    const broken: SpawnKernelThread = () => spawnNodeKernelThread(`${KERNEL_THREAD_SOURCE}\nthrow new Error('planted');`);
    await expect(startKernelThreads(2, broken)).rejects.toThrow(/planted/);
    expect(kernelThreadCount()).toBe(1);
    const [first] = await kernelResults(CASES[0]!);
    stopKernelThreads();
    expect(first).toEqual((await kernelResults(CASES[0]!))[0]);
  });
});
