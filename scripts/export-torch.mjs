#!/usr/bin/env node
// Writes zoo models as PyTorch files for the Python tests: node scripts/export-torch.mjs OUT_DIR model:classes ...
// (TypeScript modules load through Vite's module runner, as in the tests.)
import { runnerImport } from 'vite';

const [outDir, ...specs] = process.argv.slice(2);
if (!outDir || specs.length === 0) {
  console.error('usage: node scripts/export-torch.mjs OUT_DIR model:classes [model:classes ...]');
  process.exit(2);
}
const exports = specs.map((spec) => {
  const [model, classes] = spec.split(':');
  return { model, numClasses: Number(classes ?? 10) };
});
const { module } = await runnerImport(new URL('./torch/exportZoo.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
await module.exportZoo(outDir, exports);
console.log(`exported ${exports.length} model(s) to ${outDir}`);
