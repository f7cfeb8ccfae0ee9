/**
 * PyTorch files for the Python tests (`python/`), written by the page's own export code.
 *
 * `exportZoo`: zoo models, each built with its seeded
 * initialisation, its BatchNorm statistics set to distinct values, encoded in the tfjs format (as a saved
 * model is) and exported as `.pth` and `.safetensors`. Beside them: the tfjs files and a JSON of each
 * weight's local name, PyTorch name and layout, so the test can check values independently of this code.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isModelId, type ModelId } from '../../src/contract/modelCatalog';
import { exportTorchFile } from '../../src/interop/pytorch/export';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { torchNames } from '../../src/interop/pytorch/stateDictNames/names';
import { encodeNetwork } from '../../src/models/networkWeights';
import { buildNetwork } from '../../src/models/zoo';

export interface ZooExport {
  readonly model: ModelId;
  readonly numClasses: number;
}

export async function exportZoo(outDir: string, exports: readonly ZooExport[]): Promise<void> {
  await tf.setBackend('cpu');
  mkdirSync(outDir, { recursive: true });
  for (const { model, numClasses } of exports) {
    if (!isModelId(model)) throw new Error(`No zoo model "${model}".`);
    const net = buildNetwork(model, { numClasses, name: `export-${model}`, seed: 7 });
    try {
      // Fresh running statistics are 0 and 1 everywhere, which would hide a swapped name; make them distinct.
      let k = 0;
      for (const [name, variable] of net.params.named) {
        if (name.endsWith('runningMean') || name.endsWith('runningVariance')) variable.assign(tf.add(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', ++k), 0));
      }
      const metadata = { name: `${model}-${numClasses}`, dataset: 'zoo', classNames: [], testAccuracy: null, trainedWith: 'initialisation', savedAt: 0 };
      const { json, weights } = await encodeNetwork(net, metadata);
      const stem = `${model}-${numClasses}`;
      writeFileSync(join(outDir, `${stem}.json`), JSON.stringify(json));
      writeFileSync(join(outDir, `${stem}.weights.bin`), new Uint8Array(weights));
      const names = torchNames(model, json.weightsManifest[0].weights.map((w) => w.name));
      writeFileSync(join(outDir, `${stem}.names.json`), JSON.stringify(names));
      for (const format of ['pth', 'safetensors'] as const) {
        writeFileSync(join(outDir, `${stem}.${format}`), exportTorchFile(json, weights, format).bytes);
      }
    } finally {
      net.dispose();
    }
  }
}

/**
 * Imports each PyTorch checkpoint as the page does, then exports it again as `<file stem>.pth` and
 * `<file stem>.safetensors`: the test compares them with the original, value for value.
 */
export function reexport(outDir: string, checkpoints: readonly string[]): void {
  mkdirSync(outDir, { recursive: true });
  for (const path of checkpoints) {
    const imported = importTorchCheckpoint(new Uint8Array(readFileSync(path)), { fileName: basename(path) });
    const stem = basename(path).replace(/(\.legacy)?\.(pth|safetensors)$/, '');
    for (const format of ['pth', 'safetensors'] as const) {
      writeFileSync(join(outDir, `${stem}.${format}`), exportTorchFile(imported.json, imported.weights, format).bytes);
    }
  }
}
