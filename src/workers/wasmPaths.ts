/**
 * Where the page serves tfjs-backend-wasm's binaries: Vite copies each into the build and gives its URL
 * (dev, preview and build alike). tfjs picks one by what the browser supports: SIMD, and threads where the
 * page is cross-origin isolated.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

let pathsSet = false;

/**
 * Why the threaded binary is not used even where the page is cross-origin isolated: tfjs starts its thread
 * workers from the source text of its module factory, which no longer runs on its own once Vite has bundled
 * and minified it ("e is not defined" in every thread worker, and the backend never starts).
 */
export const THREADS_OFF_REASON = 'WebAssembly threads do not start from the bundled tfjs-backend-wasm yet';

/** Tells tfjs where the binaries are (and to stay single-threaded); must run before the wasm backend starts. */
export function useServedWasmBinaries(): void {
  if (pathsSet) return;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths({ 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl });
  pathsSet = true;
}
