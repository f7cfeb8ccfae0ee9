/**
 * The AssemblyScript SIMD kernels (kernels/assembly), instantiated once per worker. They run in their own
 * linear memory: a call copies its input tensors in, runs, and copies its result out, which costs a
 * fraction of the arithmetic it saves.
 */
import { KERNEL_WASM_BASE64 } from './kernelBinary';

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  conv2dFilterGrad(x: number, dy: number, dw: number, ...dims: number[]): void;
  depthwiseFilterGrad(x: number, dy: number, dw: number, ...dims: number[]): void;
  depthwiseInputGrad(dy: number, w: number, dx: number, ...dims: number[]): void;
  conv2dInputGrad(dy: number, w: number, dx: number, scratch: number, ...dims: number[]): void;
  channelMoments(x: number, out: number, scratch: number, rows: number, channels: number): void;
  channelGradientSums(dy: number, xhat: number, out: number, scratch: number, rows: number, channels: number): void;
}

export type KernelName = 'conv2dFilterGrad' | 'conv2dInputGrad' | 'depthwiseFilterGrad' | 'depthwiseInputGrad' | 'channelMoments' | 'channelGradientSums';

let instance: KernelExports | null = null;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function kernels(): KernelExports {
  // A few kilobytes: synchronous compilation is allowed for a module this small, even on a page's thread.
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64))).exports as unknown as KernelExports;
  return instance;
}

/** Whether this engine runs WebAssembly SIMD (every kernel here uses it). */
export function simdKernelsAvailable(): boolean {
  try {
    kernels();
    return true;
  } catch {
    return false;
  }
}

/** 16-byte aligned float offsets for buffers of the given float counts, after the module's own data. */
function layout(counts: readonly number[], memory: WebAssembly.Memory, base: number): number[] {
  const offsets: number[] = [];
  let next = Math.ceil(base / 16) * 16;
  for (const count of counts) {
    offsets.push(next);
    next += Math.ceil((count * 4) / 16) * 16;
  }
  const missing = next - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  return offsets;
}

/**
 * Runs `name` on its inputs (one or two), writing `output`; `scratchFloats` of working space follow the
 * output (a kernel that needs it takes its pointer after the output's), then the integer arguments `dims`.
 */
export function runKernel(name: KernelName, inputs: readonly Float32Array[], output: Float32Array, dims: readonly number[], scratchFloats = 0): void {
  const module = kernels();
  const offsets = layout([...inputs.map((input) => input.length), output.length, scratchFloats], module.memory, module.heapBase());
  const heap = new Float32Array(module.memory.buffer);
  inputs.forEach((input, i) => heap.set(input, offsets[i]! / 4));
  const out = offsets[inputs.length]!;
  const pointers = offsets.slice(0, inputs.length + (scratchFloats > 0 ? 2 : 1));
  (module[name] as (...args: number[]) => void)(...pointers, ...dims);
  output.set(heap.subarray(out / 4, out / 4 + output.length));
}
