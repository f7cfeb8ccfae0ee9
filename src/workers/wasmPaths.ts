/**
 * Where the page serves tfjs-backend-wasm's binaries: Vite copies each into the build and gives its URL
 * (dev, preview and build alike). tfjs picks one by what the browser supports: SIMD, and threads where the
 * page is cross-origin isolated (SharedArrayBuffer exists only there).
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { serveThreadedGlueUnbundled } from './threadedWasmGlue';

let pathsSet = false;

/** Tells tfjs where the binaries are and lets its threads start from the bundle; before the backend starts. */
export function useServedWasmBinaries(): void {
  if (pathsSet) return;
  serveThreadedGlueUnbundled();
  setWasmPaths({ 'tfjs-backend-wasm.wasm': plainUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl });
  pathsSet = true;
}
