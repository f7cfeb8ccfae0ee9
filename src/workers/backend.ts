/**
 * Picks the tfjs backend. A forced name starts that backend, falling back along FALLBACK_ORDER and reporting
 * why anything was skipped: a silent fallback is never reported as WebGPU. `auto` takes WebGPU on a real GPU;
 * where WebGPU is emulated on the CPU or absent, it times a couple of training steps on each candidate
 * (backendRace.ts) and trains on the fastest, saying so. That race's outcome is remembered in the browser
 * (storage/worker/backendChoice.ts), so a later load on the same machine reuses it unless asked to re-measure.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendChoice, BackendName } from '../config/runConfig';
import { installFastCpuConvFilterGrad } from '../training/cpuConvFilterGrad';
import { kernelThreadCount } from '../training/wasm/kernelModule';
import { startWasmBackend, tfjsWasmThreads } from '../training/wasm/wasmBackend';
import { spawnWebKernelThread } from './kernelThreadWorkers';
import { isEmulatedAdapter } from './adapterKind';
import { backendLabel, choiceSentence, probeSecondsPerImage, PROBE_DESCRIPTION, rememberedSentence, type RaceEntry } from './backendRace';
import type { AdapterSummary } from '../contract/protocol';
import { describeStorageError } from '../storage/storageErrors';
import { backendChoiceKey, fastestBackend, recallBackendChoice, rememberBackendChoice } from '../storage/worker/backendChoice';
import { useServedWasmBinaries } from './wasmPaths';
import { withWantedWasmThreads } from './wasmThreadCount';

export interface BackendSelection {
  readonly backend: BackendName;
  readonly adapter: AdapterSummary | null;
  readonly fallbackReason: string | null;
  /** Why `auto` chose this backend (and how much faster it measured), or null when it was forced. */
  readonly choice: string | null;
  /** Threads the wasm backend runs on, with why not more; null on other backends. */
  readonly threads: string | null;
  /** `auto` reused a choice measured on an earlier load instead of racing now. */
  readonly remembered: boolean;
}

const FALLBACK_ORDER: Readonly<Record<BackendName, readonly BackendName[]>> = {
  webgpu: ['webgpu', 'webgl', 'wasm', 'cpu'],
  webgl: ['webgl', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
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

/** Makes `name` the active backend; true when tfjs really runs on it. */
async function activate(name: BackendName): Promise<boolean> {
  if (name === 'wasm') {
    useServedWasmBinaries();
    return withWantedWasmThreads(() => startWasmBackend({ spawn: spawnWebKernelThread }));
  }
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) return false;
  await tf.ready();
  if (name === 'cpu') installFastCpuConvFilterGrad();
  return true;
}

/** How many threads the wasm backend got, and why not more. */
function wasmThreads(): string {
  const count = tfjsWasmThreads();
  if (count > 1 && kernelThreadCount() !== count) return `${count} threads (the training kernels on ${kernelThreadCount()}: their helper threads did not start)`;
  if (count > 1) return `${count} threads`;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) return 'single-threaded: this page is not cross-origin isolated, so WebAssembly threads are off';
  // tfjs read both flags when the backend started, so reading them now evaluates nothing.
  if (tf.env().get('WASM_HAS_MULTITHREAD_SUPPORT') !== true) return 'single-threaded: this browser has no WebAssembly threads';
  if (tf.env().get('WASM_HAS_SIMD_SUPPORT') !== true) return 'single-threaded: tfjs runs threads only with WebAssembly SIMD, which this browser lacks';
  return `single-threaded: this machine reports ${navigator.hardwareConcurrency} core`;
}

function selection(backend: BackendName, adapter: AdapterSummary | null, fallbackReason: string | null, choice: string | null, remembered = false): BackendSelection {
  return { backend, adapter, fallbackReason, choice, threads: backend === 'wasm' ? wasmThreads() : null, remembered };
}

async function forced(requested: BackendName): Promise<BackendSelection> {
  const skipped: string[] = [];
  for (const name of FALLBACK_ORDER[requested]) {
    const { reason, adapter } = await unavailableReason(name);
    if (reason) {
      skipped.push(`${name}: ${reason}`);
      continue;
    }
    try {
      if (await activate(name)) return selection(name, adapter, skipped.length > 0 ? skipped.join('; ') : null, null);
      skipped.push(`${name}: tfjs could not initialise it`);
    } catch (error) {
      skipped.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`No tfjs backend could start (${skipped.join('; ')})`);
}

/** Times each candidate that starts; one that cannot start or train is simply not among the entries. */
async function race(candidates: readonly BackendName[]): Promise<RaceEntry[]> {
  const entries: RaceEntry[] = [];
  for (const name of candidates) {
    try {
      if (await activate(name)) entries.push({ backend: name, secondsPerImage: await probeSecondsPerImage() });
    } catch {
      // Not chosen; forced() reports a total failure.
    }
  }
  return entries;
}

/** The choice an earlier load measured for `key`, if there is a usable one and its backend still starts. */
async function remembered(key: string, why: string, adapter: AdapterSummary | null): Promise<BackendSelection | null> {
  const choice = await recallBackendChoice(key).catch(() => null); // no storage here: measure as before
  const best = choice ? fastestBackend(choice.entries) : undefined;
  if (!choice || !best || !(await activate(best.backend).catch(() => false))) return null;
  const sentence = rememberedSentence(choiceSentence(why, choice.entries), choice.measuredAt);
  return selection(best.backend, best.backend === 'webgpu' ? adapter : null, null, sentence, true);
}

/** Real GPU: WebGPU. Otherwise the fastest of emulated WebGPU and wasm, measured here (or on an earlier load). */
async function automatic(remeasure: boolean): Promise<BackendSelection> {
  const gpu = await unavailableReason('webgpu');
  if (gpu.adapter && !gpu.adapter.emulated && (await activate('webgpu').catch(() => false))) return selection('webgpu', gpu.adapter, null, null);
  const why = gpu.adapter ? 'WebGPU is emulated on this CPU' : `No usable WebGPU here (${gpu.reason ?? 'it did not start'})`;
  const candidates: BackendName[] = gpu.adapter ? ['wasm', 'webgpu'] : ['wasm'];
  const { vendor = '', architecture = '', description = '' } = gpu.adapter ?? {};
  const adapter = gpu.adapter ? `${vendor} | ${architecture} | ${description}${gpu.adapter.emulated ? ' (emulated)' : ''}` : `none: ${gpu.reason ?? ''}`;
  const key = backendChoiceKey({ platform: navigator.userAgent, adapter, probe: PROBE_DESCRIPTION, candidates });
  const reused = remeasure ? null : await remembered(key, why, gpu.adapter);
  if (reused) return reused;
  const entries = await race(candidates);
  const best = fastestBackend(entries);
  if (!best) return forced('webgpu');
  if (tf.getBackend() !== best.backend) await activate(best.backend);
  const notKept = await rememberBackendChoice(key, entries).then(
    () => '',
    (error: unknown) => ` (not remembered for the next load: ${describeStorageError(error)})`,
  );
  return selection(best.backend, best.backend === 'webgpu' ? gpu.adapter : null, null, choiceSentence(why, entries) + notKept);
}

/** `remeasure`: with `auto`, race the candidates even if a choice is remembered, and remember the new outcome. */
export async function selectBackend(requested: BackendChoice, options: { readonly remeasure?: boolean } = {}): Promise<BackendSelection> {
  return requested === 'auto' ? automatic(options.remeasure === true) : forced(requested);
}

export { backendLabel };

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
