// WebAssembly threads for the page's wasm backend: the text tfjs hands its thread workers must run on its
// own, whatever the bundler did to the module, and the worker's thread count (tfjs's half the cores, at least two).
import * as threadedGlueModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedGlueSource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';
import { describe, expect, it } from 'vitest';
import { serveThreadedGlueUnbundled, threadedGlueExpression } from '../../src/workers/threadedWasmGlue';
import { MAX_WASM_THREADS, wantedWasmThreads } from '../../src/workers/wasmThreadCount';

/** What a tfjs thread worker evaluates: the Blob's text (backend_wasm.js), then the name it calls. */
function threadWorkerFactory(blobText: string): unknown {
  return new Function(`${blobText}\n;return WasmBackendModuleThreadedSimd;`)();
}

describe('threaded wasm glue', () => {
  it('gives tfjs a Blob text that defines the factory in a scope of its own', () => {
    serveThreadedGlueUnbundled();
    const namespace = threadedGlueModule as unknown as { default?: () => unknown };
    const factory = namespace.default ?? namespace;
    const blobText = `var WasmBackendModuleThreadedSimd = ${factory.toString()}`;
    // The published file's text, not the bundle's (minified, it names variables of the chunk around it).
    expect(factory.toString()).toBe(threadedGlueExpression(threadedGlueSource));
    expect(typeof threadWorkerFactory(blobText)).toBe('function');
  });

  it('names a glue that no longer declares the factory tfjs calls', () => {
    expect(() => threadedGlueExpression('var SomethingElse = 1;')).toThrow('does not declare WasmBackendModuleThreadedSimd: tfjs changed how its thread workers start');
    expect(threadedGlueExpression(threadedGlueSource)).toMatch(/^\(\(\) => \{/);
  });
});

describe('wasm thread count', () => {
  it('takes half the logical cores as tfjs does, but two on a two-core machine, within the pool tfjs builds', () => {
    expect(wantedWasmThreads(2)).toBe(2);
    expect(wantedWasmThreads(3)).toBe(2);
    expect(wantedWasmThreads(8)).toBe(4);
    expect(wantedWasmThreads(12)).toBe(6);
    expect(wantedWasmThreads(32)).toBe(MAX_WASM_THREADS);
  });

  it('stays on one thread with one core or no usable core count', () => {
    for (const cores of [1, 0, -1, Number.NaN, 2.5]) expect(wantedWasmThreads(cores)).toBe(1);
  });
});
