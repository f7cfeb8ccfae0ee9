/**
 * Kernels training needs that tfjs-backend-wasm 4.22 lacks, registered for the `wasm` backend: the filter
 * gradient of a convolution and both gradients of a depthwise convolution (MobileNetV2). NHWC, dilation 1,
 * channel multiplier 1: what the zoo uses; anything else fails with a message naming the kernel. And the
 * gradient of `gather` (UnsortedSegmentSum), which TA-DFKD's generator step takes through the images its
 * teacher keeps. And BatchNorm's per-channel sums accumulated in float64, as PyTorch's CPU BatchNorm
 * accumulates them (src/models/channelStatistics.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { CHANNEL_GRADIENT_SUMS_KERNEL, CHANNEL_MOMENTS_KERNEL } from '../../models/channelStatistics';
import { runKernel, type KernelName } from './kernelModule';

/** What these kernels need of tfjs-backend-wasm's backend object. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  /** A view of the tensor in the heap, typed by its dtype (Int32Array for int32). */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

function convInfo(kernel: string, xShape: number[], filterShape: number[], attrs: ConvGradAttrs, depthwise: boolean) {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernel} on wasm supports NHWC only`);
  const dilations = attrs.dilations ?? 1;
  if (!tf.backend_util.tupleValuesAreOne(typeof dilations === 'number' ? [dilations, dilations] : dilations)) {
    throw new Error(`${kernel} on wasm supports dilation 1 only`);
  }
  if (depthwise && filterShape[3] !== 1) throw new Error(`${kernel} on wasm supports channel multiplier 1 only`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

/** The integer arguments every kernel in kernels/assembly takes after its three pointers. */
function geometry(info: tf.backend_util.Conv2DInfo, depthwise: boolean): number[] {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const channels = depthwise ? [batchSize, inHeight, inWidth, inChannels, outHeight, outWidth] : [batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels];
  return [...channels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left];
}

function run(backend: WasmBackendLike, name: KernelName, a: tf.TensorInfo, b: tf.TensorInfo, outShape: number[], dims: number[], scratchFloats = 0): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  runKernel(name, [backend.typedArrayFromHeap(a), backend.typedArrayFromHeap(b)], backend.typedArrayFromHeap(out), dims, scratchFloats);
  return out;
}

/**
 * Runs a channel-statistics kernel on `inputs` ([rows..., C], float32) and returns its two [C] results,
 * written by the kernel as one [2C] buffer; its float64 accumulators take 4C floats of scratch.
 */
function runChannelKernel(backend: WasmBackendLike, kernel: string, name: KernelName, inputs: tf.TensorInfo[]): tf.TensorInfo[] {
  const shape = inputs[0]!.shape;
  const channels = shape[shape.length - 1]!;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (inputs.some((input) => input.dtype !== 'float32')) throw new Error(`${kernel} on wasm supports float32 only`);
  const both = new Float32Array(2 * channels);
  runKernel(name, inputs.map((input) => backend.typedArrayFromHeap(input)), both, [rows, channels], 4 * channels);
  // Outputs made after the kernel ran: allocating may grow tfjs's heap and detach the input views.
  return [both.subarray(0, channels), both.subarray(channels)].map((values) => {
    const out = backend.makeOutput([channels], 'float32');
    backend.typedArrayFromHeap(out).set(values);
    return out;
  });
}

const channelMoments: tf.KernelConfig = {
  kernelName: CHANNEL_MOMENTS_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => runChannelKernel(backend as unknown as WasmBackendLike, CHANNEL_MOMENTS_KERNEL, 'channelMoments', [inputs['x']!]),
};

const channelGradientSums: tf.KernelConfig = {
  kernelName: CHANNEL_GRADIENT_SUMS_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => runChannelKernel(backend as unknown as WasmBackendLike, CHANNEL_GRADIENT_SUMS_KERNEL, 'channelGradientSums', [inputs['dy']!, inputs['xhat']!]),
};

const conv2dFilterGrad: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const info = convInfo('Conv2DBackpropFilter', x.shape, a.filterShape, a, false);
    return run(backend as unknown as WasmBackendLike, 'conv2dFilterGrad', x, dy, a.filterShape, geometry(info, false));
  },
};

const conv2dInputGrad: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const info = convInfo('Conv2DBackpropInput', a.inputShape, filter.shape, a, false);
    return run(backend as unknown as WasmBackendLike, 'conv2dInputGrad', dy, filter, a.inputShape, geometry(info, false), filter.shape.reduce((x, y) => x * y, 1));
  },
};

const depthwiseFilterGrad: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const info = convInfo('DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape, a, true);
    return run(backend as unknown as WasmBackendLike, 'depthwiseFilterGrad', x, dy, a.filterShape, geometry(info, true));
  },
};

const depthwiseInputGrad: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const info = convInfo('DepthwiseConv2dNativeBackpropInput', a.inputShape, filter.shape, a, true);
    return run(backend as unknown as WasmBackendLike, 'depthwiseInputGrad', dy, filter, a.inputShape, geometry(info, true));
  },
};

/**
 * Sums rows of `x` into the segments `segmentIds` names (ids outside [0, numSegments) are dropped, as in
 * TensorFlow). A scatter-add bound by memory, not arithmetic: plain TypeScript over the heap views.
 */
const unsortedSegmentSum: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm supports float32 only, not ${x.dtype}`);
    const wasm = backend as unknown as WasmBackendLike;
    const rowShape = x.shape.slice(segmentIds.shape.length);
    const width = rowShape.reduce((a, b) => a * b, 1);
    const out = wasm.makeOutput([numSegments, ...rowShape], 'float32');
    // Views taken after makeOutput: allocating may grow the heap and detach earlier ones.
    const [rows, ids, sums] = [wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(segmentIds) as unknown as Int32Array, wasm.typedArrayFromHeap(out)];
    sums.fill(0);
    ids.forEach((segment, row) => {
      if (segment < 0 || segment >= numSegments) return;
      for (let i = 0, from = row * width, to = segment * width; i < width; i++) sums[to + i]! += rows[from + i]!;
    });
    return out;
  },
};

const MISSING = [conv2dFilterGrad, depthwiseFilterGrad, depthwiseInputGrad, unsortedSegmentSum, channelMoments, channelGradientSums];
/** tfjs-backend-wasm has these, as scalar loops: ours replace them. */
const REPLACED = [conv2dInputGrad];
const MARK = Symbol.for('distillery.wasmTrainingKernel');

/** Registers the kernels for `wasm` (replacing tfjs's own where it has one); safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  for (const config of [...MISSING, ...REPLACED]) {
    const existing = tf.getKernel(config.kernelName, 'wasm') as (tf.KernelConfig & { [MARK]?: true }) | undefined;
    if (existing?.[MARK]) continue;
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, [MARK]: true } as tf.KernelConfig);
  }
}

/** The kernels this module adds, and those it replaces (for tests and the README). */
export const WASM_TRAINING_KERNELS: readonly string[] = MISSING.map((k) => k.kernelName);
export const WASM_REPLACED_KERNELS: readonly string[] = REPLACED.map((k) => k.kernelName);
