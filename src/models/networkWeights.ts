/**
 * A network's variables to and from the tfjs weights format (`tf.io.encodeWeights`/`decodeWeights`), keyed
 * by local name. Restoring builds the architecture the file names and refuses a file whose weights do not
 * fit it, name by name and shape by shape, before any variable is overwritten.
 */
import * as tf from '@tensorflow/tfjs';
import { MODEL_CATALOG } from '../contract/modelCatalog';
import { checkWeightsFile, ModelFileError, modelJson, modelFileStem, type ModelJson, type ModelMetadata, type WeightSpec } from '../contract/modelFile';
import type { Network } from './network';
import { buildNetwork } from './zoo';

export interface EncodedNetwork {
  readonly json: ModelJson;
  readonly weights: ArrayBuffer;
}

/** Named float32 tensors as one buffer and its manifest entries, in order (model files and checkpoints). */
export async function encodeFloat32(named: readonly { name: string; tensor: tf.Tensor }[]): Promise<{ specs: WeightSpec[]; weights: ArrayBuffer }> {
  const { data, specs } = await tf.io.encodeWeights([...named]);
  if (specs.some((s) => s.dtype !== 'float32')) throw new Error('Only float32 tensors can be saved.');
  const weights = data instanceof ArrayBuffer ? data : tf.io.concatenateArrayBuffers(data as ArrayBuffer[]);
  return { specs: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: 'float32' })), weights };
}

/** Encodes every variable (weights and BatchNorm running statistics) of `net`. */
export async function encodeNetwork(net: Network, metadata: ModelMetadata): Promise<EncodedNetwork> {
  const { specs, weights } = await encodeFloat32([...net.params.named].map(([name, tensor]) => ({ name, tensor })));
  return { json: modelJson(net.id, net.numClasses, specs, `${modelFileStem(metadata.name)}.weights.bin`, metadata), weights };
}

/**
 * Builds the file's architecture (as `name`, for the worker's variable names) and loads its weights. Throws
 * a `ModelFileError` naming the first weight that is missing, unexpected or of another shape.
 */
export function restoreNetwork(json: ModelJson, weights: ArrayBuffer, name: string, weightsFileName = 'the weights file'): Network {
  checkWeightsFile(json, weights.byteLength, weightsFileName);
  const { model, numClasses } = json.modelTopology;
  const specs = json.weightsManifest[0].weights;
  const net = buildNetwork(model, { numClasses, name, seed: 0 });
  try {
    const variables = net.params.named;
    const label = MODEL_CATALOG[model].label;
    for (const spec of specs) {
      const variable = variables.get(spec.name);
      if (!variable) throw new ModelFileError(`The file has a weight "${spec.name}" that a ${label} does not have: it was saved from another architecture.`);
      if (!sameShape(variable.shape, spec.shape)) {
        throw new ModelFileError(`Weight "${spec.name}" has shape [${spec.shape.join(', ')}] in the file, but a ${label} for ${numClasses} classes needs [${variable.shape.join(', ')}].`);
      }
    }
    const missing = [...variables.keys()].filter((key) => !specs.some((s) => s.name === key));
    if (missing.length > 0) throw new ModelFileError(`The file lacks ${missing.length} weight${missing.length === 1 ? '' : 's'} a ${label} needs (first: "${missing[0]}").`);
    if (!new Float32Array(weights).every(Number.isFinite)) throw new ModelFileError('The weights file holds values that are not finite numbers.');
    const decoded = tf.io.decodeWeights(weights, specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: s.dtype })));
    try {
      for (const [key, tensor] of Object.entries(decoded)) variables.get(key)!.assign(tensor);
    } finally {
      tf.dispose(Object.values(decoded));
    }
    return net;
  } catch (error) {
    net.dispose();
    throw error;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
