/**
 * WebGPU in Node through the `webgpu` package (Dawn's Node binding, prebuilt in the package): installs the
 * `navigator.gpu` and WebGPU globals that tfjs-backend-webgpu reads, and names the adapter Dawn finds (on
 * Linux, a Vulkan device). The binding is imported at run time, so the bundle carries no native code.
 */
import { isEmulatedAdapter } from '../../src/workers/adapterKind';

export interface GpuAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly device: string;
  /** SwiftShader, llvmpipe, lavapipe or Dawn's fallback adapter: the CPU emulating a GPU. */
  readonly software: boolean;
}

/** What `navigator` must carry for tfjs-backend-webgpu; Node 20 has no `navigator`, Node 21+ has one without `gpu`. */
function exposeGpu(gpu: GPU): void {
  const existing = (globalThis as { navigator?: object }).navigator;
  if (existing) Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `Node ${process.version}` }, configurable: true });
}

/**
 * Installs WebGPU and returns the adapter tfjs will get (the same `high-performance` request), or null when
 * Dawn finds none: no Vulkan loader, no Vulkan driver (ICD), or a driver that does not start.
 */
export async function installWebGpu(): Promise<GpuAdapterReport | null> {
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  exposeGpu(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info: GPUAdapterInfo & { isFallbackAdapter?: boolean } = adapter.info;
  const { vendor, architecture, description, device } = info;
  return { vendor, architecture, description, device, software: isEmulatedAdapter(info) };
}

export const NO_ADAPTER_MESSAGE = [
  'No Vulkan device: WebGPU (Dawn) found no adapter, so nothing was measured.',
  'Dawn needs the Vulkan loader (libvulkan.so.1, e.g. Debian/Ubuntu libvulkan1) and a Vulkan driver: on an NVIDIA',
  'machine the driver file is nvidia_icd.json (usually /usr/share/vulkan/icd.d or /etc/vulkan/icd.d); name it with',
  'VK_ICD_FILENAMES=/path/to/nvidia_icd.json. In a container, the NVIDIA runtime mounts the Vulkan driver only with the',
  "graphics capability (NVIDIA_DRIVER_CAPABILITIES=all, or compute,utility,graphics), not with compute alone.",
  'To try the runner without a GPU, point VK_ICD_FILENAMES at a software',
  "driver (Debian's chromium ships /usr/lib/chromium/vk_swiftshader_icd.json).",
].join('\n');
