/**
 * Lets tfjs-backend-wasm's thread workers start from a bundled build.
 *
 * tfjs 4.22 hands each pthread worker the threaded Emscripten glue as a Blob built from
 * `wasmFactoryThreadedSimd.toString()` (backend_wasm.js, `mainScriptUrlOrBlob`); the worker runs
 * `importScripts(blob)` and then `WasmBackendModuleThreadedSimd(Module)`. Once Vite has wrapped the CommonJS
 * glue and minified it, that function's text names variables of the bundle around it ("e is not defined"
 * in every thread worker, and the backend never starts). The glue's own file, imported as text, runs on its
 * own: the factory's `toString` returns it, so the Blob holds the published glue and the bundle is free to
 * transform its copy for the training worker.
 */
import * as threadedGlueModule from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedGlueSource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

/** The name the glue declares and tfjs's thread worker calls (wasmWorkerContents). */
const FACTORY_NAME = 'WasmBackendModuleThreadedSimd';

/**
 * The expression tfjs puts after `var WasmBackendModuleThreadedSimd = ` in the thread workers' Blob: the
 * published glue run in its own scope, giving its factory.
 */
export function threadedGlueExpression(source: string): string {
  if (!source.includes(`var ${FACTORY_NAME} =`)) throw new Error(`The threaded tfjs-backend-wasm glue does not declare ${FACTORY_NAME}: tfjs changed how its thread workers start`);
  return `(() => {\n${source}\n;return ${FACTORY_NAME};\n})()`;
}

/** The factory tfjs calls, whichever way the bundler exposed the CommonJS module (as tfjs itself reads it). */
function bundledFactory(): object {
  const namespace = threadedGlueModule as unknown as { default?: unknown };
  const factory = namespace.default ?? namespace;
  if (typeof factory !== 'function') throw new Error('The threaded tfjs-backend-wasm glue did not load as a function');
  return factory;
}

/** Makes the thread workers' Blob the published glue; must run before the wasm backend starts. */
export function serveThreadedGlueUnbundled(): void {
  const expression = threadedGlueExpression(threadedGlueSource);
  Object.defineProperty(bundledFactory(), 'toString', { value: () => expression, configurable: true });
}
