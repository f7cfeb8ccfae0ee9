/**
 * A PyTorch file the user picked, read in the worker: `importTorchCheckpoint` (src/models/torch) reads the
 * zip, legacy pickle or safetensors without executing anything, works out the zoo model and class count
 * from names and shapes, checks every tensor and converts it to the saved-model files. Refusals arrive as
 * errors whose message says what is wrong with the file.
 */
import { importTorchCheckpoint } from '../models/torch/importCheckpoint';
import type { TorchModelPreview } from '../contract/protocol';
import { TorchImportError } from '../interop/pytorch/checkpoint';
import { trainingRecordWords } from '../interop/pytorch/trainingRecord';

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  'torch-zip': 'PyTorch zip format',
  'torch-legacy': 'PyTorch legacy format',
  safetensors: 'safetensors',
};

const LAYOUT_WORDS: Readonly<Record<string, string>> = {
  state_dict: 'a bare state_dict',
  'training-checkpoint': "a training checkpoint {'model', 'optimizer', ...}",
  'model-key': "{'model': state_dict}",
  'state_dict-key': "{'state_dict': state_dict}",
};

export async function readTorchModelFile(file: File): Promise<TorchModelPreview> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const imported = withFileName(file.name, () => importTorchCheckpoint(bytes, { fileName: file.name, now: Date.now() }));
  const { format, layout, strippedModulePrefix } = imported.checkpoint;
  const source = [FORMAT_WORDS[format] ?? format, LAYOUT_WORDS[layout] ?? layout, ...(strippedModulePrefix ? ["DataParallel's module. prefixes removed"] : [])].join(', ');
  const recorded = trainingRecordWords(imported.checkpoint.record);
  return { model: imported.model, numClasses: imported.numClasses, source, recorded, json: imported.json, weights: imported.weights, normalizationFromFile: imported.normalizationFromFile };
}

/** The reader's refusals speak of "the file": the page's message names which one (nothing is kept before). */
function withFileName<T>(fileName: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new TorchImportError(`${fileName} was not imported: ${error instanceof Error ? error.message : String(error)}`);
  }
}
