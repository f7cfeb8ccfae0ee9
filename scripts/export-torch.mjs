#!/usr/bin/env node
// PyTorch files for the Python tests, written by the page's export code (TypeScript loads through Vite's
// module runner, as in the tests):
//   node scripts/export-torch.mjs OUT_DIR model:classes ...        zoo models, freshly initialised
//   node scripts/export-torch.mjs --reexport OUT_DIR FILE.pth ...  checkpoints imported, then exported
import { runnerImport } from 'vite';

const args = process.argv.slice(2);
const reexport = args[0] === '--reexport';
const [outDir, ...rest] = reexport ? args.slice(1) : args;
if (!outDir || rest.length === 0) {
  console.error('usage: node scripts/export-torch.mjs OUT_DIR model:classes ... | --reexport OUT_DIR FILE ...');
  process.exit(2);
}
const { module } = await runnerImport(new URL('./torch/exports.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
if (reexport) {
  module.reexport(outDir, rest);
} else {
  await module.exportZoo(outDir, rest.map((spec) => {
    const [model, classes] = spec.split(':');
    return { model, numClasses: Number(classes ?? 10) };
  }));
}
console.log(`exported ${rest.length} model(s) to ${outDir}`);
