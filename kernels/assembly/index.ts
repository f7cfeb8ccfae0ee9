// The kernels' entry points, and where free memory starts (the JS side lays its buffers out from there).
export { channelGradientSums, channelMoments } from './channelStatistics';
export { conv2dFilterGrad } from './conv';
export { conv2dInputGrad } from './convInput';
export { depthwiseFilterGrad, depthwiseInputGrad } from './depthwise';
export { partScratchBytes } from './parts';

export function heapBase(): usize {
  return __heap_base;
}
