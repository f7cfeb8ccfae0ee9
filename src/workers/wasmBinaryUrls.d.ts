// Vite's `?url` import of tfjs-backend-wasm's binaries (wasmPaths.ts): the URL it serves the file at. The
// worker's tsconfig leaves out vite/client, whose types assume a page.
declare module '@tensorflow/tfjs-backend-wasm/dist/*.wasm?url' {
  const url: string;
  export default url;
}

// Vite's `?raw` import of the threaded Emscripten glue (threadedWasmGlue.ts): the file's text.
declare module '@tensorflow/tfjs-backend-wasm/wasm-out/*.js?raw' {
  const source: string;
  export default source;
}
