/**
 * A saved or trained model (the tfjs-format files: `model.json` + float32 weights, see `modelFile.ts`) as
 * a PyTorch state_dict with RepDistiller's names and layouts, then as `.safetensors` or `.pth` bytes. Pure
 * and tfjs-free: the page exports a stored record without the worker.
 *
 * Every BatchNorm gets PyTorch's `num_batches_tracked` (int64) right after its running variance, as a
 * `state_dict()` lists it, so `load_state_dict(..., strict=True)` finds every key. Its value is 0: the zoo
 * does not count batches, and PyTorch reads the counter only when a BatchNorm's momentum is None.
 */
import { checkWeightsFile, modelFileStem, type ModelJson } from '../../contract/modelFile';
import { tfjsToTorch, torchShapeOf } from './layout';
import { torchNames } from './stateDictNames/names';
import { writePth } from './pthWriter';
import { writeSafetensors } from './safetensorsWriter';
import type { StateDict, TorchTensor } from './stateDict';

export type TorchFormat = 'safetensors' | 'pth';

const RUNNING_VAR = '.running_var';

/** The model's state_dict in PyTorch's names and element order. */
export function torchStateDictOf(json: ModelJson, weights: ArrayBuffer): StateDict {
  checkWeightsFile(json, weights.byteLength, 'the weights');
  const specs = json.weightsManifest[0].weights;
  const names = torchNames(json.modelTopology.model, specs.map((s) => s.name));
  const tensors: TorchTensor[] = [];
  let offset = 0;
  specs.forEach((spec, i) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(weights, offset, count);
    offset += 4 * count;
    const { torch, layout } = names[i]!;
    tensors.push({ name: torch, dtype: 'float32', shape: torchShapeOf(layout, spec.shape), data: tfjsToTorch(layout, values, spec.shape) });
    if (torch.endsWith(RUNNING_VAR)) {
      tensors.push({ name: `${torch.slice(0, -RUNNING_VAR.length)}.num_batches_tracked`, dtype: 'int64', shape: [], data: new BigInt64Array(1) });
    }
  });
  return tensors;
}

/** The file's bytes and a download name for it. */
export function exportTorchFile(json: ModelJson, weights: ArrayBuffer, format: TorchFormat): { fileName: string; bytes: Uint8Array } {
  const stateDict = torchStateDictOf(json, weights);
  const stem = modelFileStem(json.userDefinedMetadata.name);
  if (format === 'pth') return { fileName: `${stem}.pth`, bytes: writePth(stateDict, stem.replace(/-/g, '_')) };
  const { model, numClasses } = json.modelTopology;
  return { fileName: `${stem}.safetensors`, bytes: writeSafetensors(stateDict, { format: 'pt', model, numClasses: String(numClasses) }) };
}
