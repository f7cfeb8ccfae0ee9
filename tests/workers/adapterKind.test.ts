import { describe, expect, it } from 'vitest';
import { isEmulatedAdapter } from '../../src/workers/adapterKind';

describe('isEmulatedAdapter', () => {
  it('recognises software adapters by name or by the fallback flag', () => {
    expect(isEmulatedAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    expect(isEmulatedAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isEmulatedAdapter({ vendor: 'intel', architecture: 'gen-12lp', description: '', isFallbackAdapter: true })).toBe(true);
  });

  it('takes a real GPU for a real GPU', () => {
    expect(isEmulatedAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3070' })).toBe(false);
    expect(isEmulatedAdapter({ vendor: 'apple', architecture: 'metal-3', description: '', isFallbackAdapter: false })).toBe(false);
  });
});
