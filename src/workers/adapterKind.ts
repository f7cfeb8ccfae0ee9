/**
 * Whether a WebGPU adapter is a GPU emulated on the CPU (SwiftShader, or what the browser calls its
 * fallback adapter): training then runs tens of times slower than on a real GPU, and the page says so
 * rather than leave a person wondering why.
 */
export interface AdapterIdentity {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** `GPUAdapterInfo.isFallbackAdapter`, where the browser has it. */
  readonly isFallbackAdapter?: boolean;
}

export function isEmulatedAdapter(info: AdapterIdentity): boolean {
  if (info.isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}
