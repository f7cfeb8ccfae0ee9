/**
 * Picks the tfjs backend: WebGPU when `navigator.gpu` gives an adapter, else WebGL, else CPU, starting
 * from the one the user asked for. Reports what is really active and why anything was skipped: a silent
 * fallback is never reported as WebGPU.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendName } from '../config/runConfig';
import { installFastCpuConvFilterGrad } from '../training/cpuConvFilterGrad';
import { isEmulatedAdapter } from './adapterKind';
import type { AdapterSummary } from './protocol';

export interface BackendSelection {
  readonly backend: BackendName;
  readonly adapter: AdapterSummary | null;
  readonly fallbackReason: string | null;
}

const FALLBACK_ORDER: Readonly<Record<BackendName, readonly BackendName[]>> = {
  webgpu: ['webgpu', 'webgl', 'cpu'],
  webgl: ['webgl', 'cpu'],
  cpu: ['cpu'],
};

/** Why `name` cannot run here, or null if it may. */
async function unavailableReason(name: BackendName): Promise<{ reason: string | null; adapter: AdapterSummary | null }> {
  if (name === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return { reason: 'this browser exposes no WebGPU (navigator.gpu is missing)', adapter: null };
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { reason: 'WebGPU found no adapter (no usable GPU)', adapter: null };
    const info: GPUAdapterInfo & { isFallbackAdapter?: boolean } = adapter.info;
    const { vendor, architecture, description } = info;
    return { reason: null, adapter: { vendor, architecture, description, emulated: isEmulatedAdapter(info) } };
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined') {
    return { reason: 'WebGL in a worker needs OffscreenCanvas, which this browser lacks', adapter: null };
  }
  return { reason: null, adapter: null };
}

export async function selectBackend(requested: BackendName): Promise<BackendSelection> {
  const skipped: string[] = [];
  for (const name of FALLBACK_ORDER[requested]) {
    const { reason, adapter } = await unavailableReason(name);
    if (reason) {
      skipped.push(`${name}: ${reason}`);
      continue;
    }
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        if (name === 'cpu') installFastCpuConvFilterGrad();
        return { backend: name, adapter, fallbackReason: skipped.length > 0 ? skipped.join('; ') : null };
      }
      skipped.push(`${name}: tfjs could not initialise it`);
    } catch (error) {
      skipped.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`No tfjs backend could start (${skipped.join('; ')})`);
}

/**
 * Runs `work` on another backend of this worker (the check page's CPU reference), then switches back.
 * Tensors `work` makes must not outlive it; the worker's own tensors stay where they are, as long as
 * `work` does not touch them (tfjs would move them to the backend that reads them).
 */
export async function useBackend<T>(name: BackendName, work: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  if (previous === name) return work();
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not switch to the ${name} backend`);
  try {
    await tf.ready();
    if (name === 'cpu') installFastCpuConvFilterGrad();
    return await work();
  } finally {
    await tf.setBackend(previous);
  }
}
