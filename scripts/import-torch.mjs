#!/usr/bin/env node
/**
 * Imports a PyTorch checkpoint (.pth/.pt, zip or legacy format) or a .safetensors file as the playground's
 * saved-model files: STEM.json (model.json) and STEM.weights.bin, which the Saved models panel loads.
 *
 *   npm run import-torch -- FILE [--out DIR] [--name NAME] [--dataset ID] [--mean R,G,B --std R,G,B]
 *
 * The architecture and class count are worked out from the checkpoint; the input normalisation defaults
 * to RepDistiller's CIFAR constants (CIFAR-100's for 100 classes). The TypeScript import code runs through
 * Vite's SSR loader, the same source the worker bundles; tfjs uses its CPU backend here.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const USAGE = 'usage: npm run import-torch -- FILE [--out DIR] [--name NAME] [--dataset ID] [--mean R,G,B --std R,G,B]';

function rgb(text, option) {
  if (text === undefined) return undefined;
  const values = text.split(',').map(Number);
  if (values.length !== 3 || !values.every(Number.isFinite)) throw new Error(`--${option} needs three comma-separated numbers, got "${text}"`);
  return values;
}

async function main() {
  const { values: options, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string', default: '.' }, name: { type: 'string' }, dataset: { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const mean = rgb(options.mean, 'mean');
  const std = rgb(options.std, 'std');
  if ((mean === undefined) !== (std === undefined)) throw new Error('--mean and --std go together');
  if (std && !std.every((s) => s > 0)) throw new Error('--std needs three positive numbers');
  const file = resolve(positionals[0]);
  const bytes = new Uint8Array(await readFile(file));

  const server = await createServer({ configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, ws: false }, optimizeDeps: { noDiscovery: true, include: [] } });
  try {
    const { importTorchCheckpoint } = await server.ssrLoadModule('/src/models/torch/importCheckpoint.ts');
    const { modelFileStem } = await server.ssrLoadModule('/src/contract/modelFile.ts');
    const imported = importTorchCheckpoint(bytes, {
      fileName: basename(file),
      name: options.name,
      dataset: options.dataset,
      inputNormalization: mean && std ? { mean, std } : undefined,
      now: Date.now(),
    });
    const stem = modelFileStem(imported.json.userDefinedMetadata.name);
    const weightsName = `${stem}.weights.bin`;
    const json = { ...imported.json, weightsManifest: [{ ...imported.json.weightsManifest[0], paths: [weightsName] }] };
    await mkdir(options.out, { recursive: true });
    await writeFile(join(options.out, `${stem}.json`), JSON.stringify(json));
    await writeFile(join(options.out, weightsName), new Uint8Array(imported.weights));
    const { format, layout, strippedModulePrefix } = imported.checkpoint;
    console.log(`${basename(file)}: ${imported.model}, ${imported.numClasses} classes (${format}, ${layout}${strippedModulePrefix ? ', module. prefix removed' : ''})`);
    const { trainingRecordWords } = await server.ssrLoadModule('/src/interop/pytorch/trainingRecord.ts');
    const recorded = trainingRecordWords(imported.checkpoint.record);
    if (recorded) console.log(`its training script recorded ${recorded}`);
    console.log(`wrote ${join(options.out, `${stem}.json`)} and ${join(options.out, weightsName)}`);
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
