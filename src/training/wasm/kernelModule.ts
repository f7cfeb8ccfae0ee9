/**
 * The AssemblyScript SIMD kernels (kernels/assembly), instantiated once per worker. They run in their own
 * linear memory: a call copies its input tensors in, runs, and copies its result out, which costs a
 * fraction of the arithmetic it saves. Once `startKernelThreads` has run, the memory is shared and every
 * kernel runs split over the kernel threads, with the same bits as on one.
 */
import { KERNEL_WASM_BASE64, SHARED_KERNEL_MAXIMUM_PAGES, SHARED_KERNEL_WASM_BASE64 } from './kernelBinary';
import { KernelThreadPool, type SpawnKernelThread } from './kernelThreads';

type Kernel = (...args: number[]) => void;

/** Every kernel; each takes (part, parts) last and computes its share of the outputs (kernels/assembly/parts.ts). */
const KERNEL_NAMES = ['conv2dFilterGrad', 'conv2dInputGrad', 'depthwiseFilterGrad', 'depthwiseInputGrad', 'channelMoments', 'channelGradientSums'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

type KernelExports = Readonly<Record<KernelName, Kernel>> & {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  /** Bytes between two parts' scratch slots for `bytes` each (whole cache lines). */
  partScratchBytes(bytes: number): number;
};
/** The kernels whose parts each work in their own slot of the scratch space (`partScratchBytes` apart). */
const SCRATCH_PER_PART: ReadonlySet<KernelName> = new Set(['conv2dInputGrad', 'channelMoments', 'channelGradientSums']);

let plain: KernelExports | null = null;
/** Set by startKernelThreads: the caller's instance on the shared memory and the helpers on it. */
let threaded: { readonly kernels: KernelExports; readonly pool: KernelThreadPool } | null = null;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function plainKernels(): KernelExports {
  // A few kilobytes: synchronous compilation is allowed for a module this small, even on a page's thread.
  plain ??= new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64))).exports as unknown as KernelExports;
  return plain;
}

/** Whether this engine runs WebAssembly SIMD (every kernel here uses it). */
export function simdKernelsAvailable(): boolean {
  try {
    plainKernels();
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits the kernels over `count` threads from now on: this one and `count - 1` helpers that `spawn`
 * starts. Needs SharedArrayBuffer (a cross-origin isolated page, or Node) and a thread that may wait with
 * Atomics (a worker, or Node). Returns the thread count in use; on failure the kernels stay on one thread
 * and it rejects with the reason. `maximumPages` (64 KiB each) caps the shared memory below the build's own
 * ceiling (tests use it to reach the cap).
 */
export async function startKernelThreads(count: number, spawn: SpawnKernelThread, maximumPages = SHARED_KERNEL_MAXIMUM_PAGES): Promise<number> {
  stopKernelThreads();
  if (count < 2) return 1;
  const module = await WebAssembly.compile(decodeBase64(SHARED_KERNEL_WASM_BASE64));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: maximumPages, shared: true });
  const kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as KernelExports;
  const pool = await KernelThreadPool.start(count, spawn, module, memory, KERNEL_NAMES);
  threaded = { kernels, pool };
  return pool.threads;
}

/** Back to one thread; stops the helpers. */
export function stopKernelThreads(): void {
  threaded?.pool.stop();
  threaded = null;
}

/** How many threads a kernel runs on now. */
export function kernelThreadCount(): number {
  return threaded?.pool.threads ?? 1;
}

/** 64-byte aligned byte offsets for buffers of the given byte counts, after the module's own data. */
function layout(byteCounts: readonly number[], kernels: KernelExports): number[] {
  const offsets: number[] = [];
  let next = Math.ceil(kernels.heapBase() / 64) * 64;
  for (const bytes of byteCounts) {
    offsets.push(next);
    next += Math.ceil(bytes / 64) * 64;
  }
  const missing = next - kernels.memory.buffer.byteLength;
  if (missing > 0) kernels.memory.grow(Math.ceil(missing / 65536));
  return offsets;
}

/** One call on `kernels`, split over `pool`'s threads when given, else whole (part 0 of 1). */
function call(kernels: KernelExports, pool: KernelThreadPool | null, name: KernelName, inputs: readonly Float32Array[], output: Float32Array, dims: readonly number[], scratchFloats: number): void {
  const parts = pool ? pool.threads : 1;
  const scratchBytes = scratchFloats === 0 ? 0 : SCRATCH_PER_PART.has(name) ? parts * kernels.partScratchBytes(scratchFloats * 4) : scratchFloats * 4;
  const offsets = layout([...inputs.map((input) => input.length * 4), output.length * 4, scratchBytes], kernels);
  const heap = new Float32Array(kernels.memory.buffer);
  inputs.forEach((input, i) => heap.set(input, offsets[i]! / 4));
  const out = offsets[inputs.length]!;
  const args = [...offsets.slice(0, inputs.length + (scratchFloats > 0 ? 2 : 1)), ...dims];
  if (pool) pool.call(kernels[name], name, args);
  else kernels[name](...args, 0, 1);
  output.set(heap.subarray(out / 4, out / 4 + output.length));
}

/**
 * Runs `name` on its inputs (one or two), writing `output`; `scratchFloats` of working space follow the
 * output (a kernel that needs it takes its pointer after the output's; a part's own slot for those in
 * SCRATCH_PER_PART), then the integer arguments `dims`.
 */
export function runKernel(name: KernelName, inputs: readonly Float32Array[], output: Float32Array, dims: readonly number[], scratchFloats = 0): void {
  if (threaded) {
    try {
      call(threaded.kernels, threaded.pool, name, inputs, output, dims, scratchFloats);
      return;
    } catch (error) {
      // Past the shared memory's fixed ceiling: this call runs on one thread in the plain module's memory.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  call(plainKernels(), null, name, inputs, output, dims, scratchFloats);
}
