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
}

export type KernelName = 'conv2dFilterGrad' | 'conv2dInputGrad' | 'depthwiseFilterGrad' | 'depthwiseInputGrad';

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
 * Runs `name` on two inputs, writing `output`; `scratchFloats` of working space follow the output (a kernel
 * that needs it takes its pointer after the output's), then the integer arguments `dims`.
 */
export function runKernel(name: KernelName, inputs: readonly [Float32Array, Float32Array], output: Float32Array, dims: readonly number[], scratchFloats = 0): void {
  const module = kernels();
  const [a, b, out, scratch] = layout([inputs[0].length, inputs[1].length, output.length, scratchFloats], module.memory, module.heapBase());
  const heap = new Float32Array(module.memory.buffer);
  heap.set(inputs[0], a! / 4);
  heap.set(inputs[1], b! / 4);
  const call = module[name] as (...args: number[]) => void;
  if (scratchFloats > 0) call(a!, b!, out!, scratch!, ...dims);
  else call(a!, b!, out!, ...dims);
  output.set(heap.subarray(out! / 4, out! / 4 + output.length));
}
