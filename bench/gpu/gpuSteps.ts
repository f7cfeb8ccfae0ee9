/**
 * The bench worker's training-step measurement (measureThroughput: the app's createLearner/trainStep beside
 * the bare-tfjs loop) on tfjs's WebGPU backend in Node, one cell per model and method, with the backend's
 * memory counters after each. Import only after installWebGpu(): tfjs-backend-webgpu registers itself only
 * where `navigator.gpu` exists when it loads.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { ModelId } from '../../src/contract/modelCatalog';
import type { BenchMethod, ThroughputResult } from '../../src/contract/benchProtocol';
import { measureThroughput, type BenchData } from '../../src/workers/benchSteps';
import { gpuBytes } from '../../src/workers/gpuMemory';
import { randomImages } from '../node/randomImages';

export interface StepCell {
  readonly model: ModelId;
  readonly method: BenchMethod;
  readonly batch: number;
  readonly throughput: ThroughputResult;
  readonly memory: CellMemory;
}

export interface CellMemory {
  /** Bytes of GPU buffers tfjs holds (its pool included) after the cell: the high-water mark so far. */
  readonly gpuBytesAllocated: number | null;
  readonly gpuBytesInUse: number | null;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
}

export async function startWebGpuBackend(): Promise<void> {
  if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu') throw new Error('tfjs could not start its WebGPU backend on this adapter');
  await tf.ready();
}

/** Random CIFAR-shaped images, enough for the four distinct batches the step cycles through. */
function benchData(batch: number): BenchData {
  return { train: randomImages(batch * 4), normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, numClasses: 10 };
}

export async function measureCell(model: ModelId, method: BenchMethod, batch: number, warmupSteps: number, timedSteps: number): Promise<StepCell> {
  const tensorsBefore = tf.memory().numTensors;
  const throughput = await measureThroughput({ kind: 'throughput', model, method, batch, warmupSteps, timedSteps }, benchData(batch));
  const { gpuBytesAllocated, gpuBytesInUse } = gpuBytes();
  return { model, method, batch, throughput, memory: { gpuBytesAllocated, gpuBytesInUse, tensorsBefore, tensorsAfter: tf.memory().numTensors } };
}
