/**
 * A finished run's trained models, kept beside its bundle when asked (`--keep-models on`), in one layout on
 * every side: `<out>/models/<run>/<learner key>.safetensors` with PyTorch's names and layouts (what
 * distillery_torch writes and the page's PyTorch import reads), so `reproduce:compare` can score the models
 * of ours and of PyTorch on the same images, image by image.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportTorchFile } from '../../src/interop/pytorch/export';
import { encodeNetwork } from '../../src/models/networkWeights';
import type { ModelShelf } from '../../src/training/modelShelf';

export function keptModelsDir(out: string, runName: string): string {
  return path.join(out, 'models', runName);
}

export function keptModelFile(out: string, runName: string, learnerKey: string): string {
  return path.join(keptModelsDir(out, runName), `${learnerKey}.safetensors`);
}

/** Writes every model the finished run left on `shelf` (its teachers and students); returns the files. */
export async function writeKeptModels(shelf: ModelShelf, out: string, runName: string, dataset: string): Promise<string[]> {
  mkdirSync(keptModelsDir(out, runName), { recursive: true });
  return shelf.with(async ({ models }) => {
    const files: string[] = [];
    for (const { key, label, net } of models) {
      const metadata = { name: `${runName} ${key}`, dataset, classNames: [], testAccuracy: null, trainedWith: label, savedAt: Date.now() };
      const { json, weights } = await encodeNetwork(net, metadata);
      const file = keptModelFile(out, runName, key);
      writeFileSync(file, exportTorchFile(json, weights, 'safetensors').bytes);
      files.push(file);
    }
    return files;
  });
}
