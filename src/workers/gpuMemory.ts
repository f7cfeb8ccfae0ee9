import * as tf from '@tensorflow/tfjs';

/** Backend memory counters, whichever backend is active (field names differ between WebGPU and WebGL). */
export function gpuBytes(): { gpuBytesInUse: number | null; gpuBytesAllocated: number | null } {
  const memory = tf.memory() as tf.MemoryInfo & Record<string, unknown>;
  const number = (key: string) => (typeof memory[key] === 'number' ? (memory[key] as number) : null);
  return { gpuBytesInUse: number('numBytesInGPU'), gpuBytesAllocated: number('numBytesAllocatedInGPU') ?? number('numBytesInGPUAllocated') };
}
