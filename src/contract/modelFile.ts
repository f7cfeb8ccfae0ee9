/**
 * A trained network as files in the TensorFlow.js format: `model.json` (a weights manifest in tfjs's own
 * layout, so `tf.io` tools read it) plus one binary weights file. The topology is not a Keras graph: it
 * names the zoo architecture and its class count, and the weights are the network's variables by local
 * name. Pure and tfjs-free: the page reads the metadata of a picked file, the worker decodes the weights.
 */
import { IMAGE_FOLDER_SIDES, IMAGE_SIDE, isImageFolderSide } from './cifarFormat';
import { MODEL_CATALOG, isModelId, type ModelId } from './modelCatalog';

export const MODEL_FILE_FORMAT = 'distillery-network';
const GENERATED_BY = 'Distillery';
/** A resnet110 for 100 classes is ~7 MB; 256 MB is far above any zoo model and below trouble. */
export const MAX_WEIGHTS_BYTES = 256 * 1024 * 1024;

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/**
 * The per-channel mean and std a network's inputs were normalised with (`(pixel / 255 - mean) / std`),
 * RGB. Models trained here use their dataset's; imported ones carry what they were trained with.
 */
export interface InputNormalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** RepDistiller's CIFAR-100 constants (dataset/cifar100.py), which its released teachers were trained with. */
export const REPDISTILLER_CIFAR100_NORMALIZATION: InputNormalization = { mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761] };
/** The usual CIFAR-10 constants (RepDistiller-style CIFAR-10 training, and ../shared/parity). */
export const CIFAR10_NORMALIZATION: InputNormalization = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

/** What a person needs to recognise a saved model later. */
export interface ModelMetadata {
  /** Shown in menus ("KD student, seed 3"). */
  readonly name: string;
  readonly dataset: string;
  readonly classNames: readonly string[];
  /** Test accuracy in [0, 1] when it was saved, on the run's test subset. */
  readonly testAccuracy: number | null;
  /** How it was trained, in words ("Teacher, 8 epochs, cifar10-subset"). */
  readonly trainedWith: string;
  /** Epoch milliseconds. */
  readonly savedAt: number;
  /** Absent in files saved before models carried it: the dataset's own normalisation applies. */
  readonly inputNormalization?: InputNormalization;
  /** The side of the square images it was trained on; absent in files saved before models carried it (32). */
  readonly imageSide?: number;
}

/** The side of the images a saved model was trained on: CIFAR's 32 unless it says otherwise. */
export function modelImageSide(metadata: Pick<ModelMetadata, 'imageSide'>): number {
  return metadata.imageSide ?? IMAGE_SIDE;
}

export interface ModelJson {
  readonly format: typeof MODEL_FILE_FORMAT;
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: { readonly model: ModelId; readonly numClasses: number };
  readonly weightsManifest: readonly [{ readonly paths: readonly [string]; readonly weights: readonly WeightSpec[] }];
  readonly userDefinedMetadata: ModelMetadata;
}

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
}

export function modelJson(model: ModelId, numClasses: number, weights: readonly WeightSpec[], weightsPath: string, metadata: ModelMetadata): ModelJson {
  return { format: MODEL_FILE_FORMAT, generatedBy: GENERATED_BY, convertedBy: null, modelTopology: { model, numClasses }, weightsManifest: [{ paths: [weightsPath], weights }], userDefinedMetadata: metadata };
}

/** Bytes the manifest's weights take (float32). */
export function manifestBytes(json: ModelJson): number {
  return json.weightsManifest[0].weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
}

/** A file-name stem from a model name: letters, digits, dashes. */
export function modelFileStem(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads and checks a `model.json`: our format, a known architecture, a class count that fits the dataset
 * in use, and a well-formed manifest. The weights' shapes are checked against the architecture later,
 * where the network exists (`restoreNetwork`).
 */
export function parseModelJson(text: string, expected: { readonly numClasses: number }): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ModelFileError('model.json is not JSON: pick the model.json a Distillery export wrote.');
  }
  if (!isRecord(json)) throw new ModelFileError('model.json does not hold a JSON object.');
  if (json.format !== MODEL_FILE_FORMAT) {
    if (json.format === 'layers-model' || json.format === 'graph-model' || 'modelTopology' in json) {
      throw new ModelFileError(`This is a TensorFlow.js ${String(json.format ?? 'Layers')} model, not a Distillery network: only models exported from Distillery (format "${MODEL_FILE_FORMAT}") can be imported.`);
    }
    throw new ModelFileError(`This JSON is not a Distillery model (its format is ${json.format === undefined ? 'missing' : `"${String(json.format)}"`}).`);
  }
  const topology = json.modelTopology;
  if (!isRecord(topology) || typeof topology.model !== 'string') throw new ModelFileError('model.json does not say which architecture it holds (modelTopology.model).');
  if (!isModelId(topology.model)) throw new ModelFileError(`model.json holds a "${topology.model}", which this version of Distillery does not have.`);
  const numClasses = topology.numClasses;
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 2) throw new ModelFileError('model.json has no valid class count (modelTopology.numClasses).');
  if (numClasses !== expected.numClasses) {
    throw new ModelFileError(`This ${MODEL_CATALOG[topology.model].label} predicts ${numClasses} classes, but the dataset in use has ${expected.numClasses}: pick a dataset with ${numClasses} classes first.`);
  }
  const manifest = json.weightsManifest;
  const group = Array.isArray(manifest) && manifest.length === 1 ? manifest[0] : null;
  if (!isRecord(group) || !Array.isArray(group.paths) || group.paths.length !== 1 || typeof group.paths[0] !== 'string' || !Array.isArray(group.weights)) {
    throw new ModelFileError('model.json has no weights manifest of one file.');
  }
  for (const spec of group.weights as unknown[]) {
    if (!isRecord(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d > 0) || spec.dtype !== 'float32') {
      throw new ModelFileError(`model.json lists a weight that is not a named float32 tensor (${JSON.stringify(spec).slice(0, 80)}).`);
    }
  }
  const names = (group.weights as WeightSpec[]).map((w) => w.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new ModelFileError(`model.json lists the weight "${repeated}" twice.`);
  const metadata = isRecord(json.userDefinedMetadata) ? json.userDefinedMetadata : {};
  const parsed: ModelJson = {
    ...(json as unknown as ModelJson),
    userDefinedMetadata: {
      name: typeof metadata.name === 'string' && metadata.name.trim() ? metadata.name.trim().slice(0, 80) : `Imported ${MODEL_CATALOG[topology.model].label}`,
      dataset: typeof metadata.dataset === 'string' ? metadata.dataset : 'unknown',
      classNames: Array.isArray(metadata.classNames) ? metadata.classNames.map(String) : [],
      testAccuracy: typeof metadata.testAccuracy === 'number' && Number.isFinite(metadata.testAccuracy) ? metadata.testAccuracy : null,
      trainedWith: typeof metadata.trainedWith === 'string' ? metadata.trainedWith : '',
      savedAt: typeof metadata.savedAt === 'number' ? metadata.savedAt : 0,
      ...optionalNormalization(metadata.inputNormalization),
      ...optionalImageSide(metadata.imageSide),
    },
  };
  if (manifestBytes(parsed) > MAX_WEIGHTS_BYTES) throw new ModelFileError(`model.json declares more than ${MAX_WEIGHTS_BYTES / 2 ** 20} MB of weights, more than any network here has.`);
  return parsed;
}

/** A valid `inputNormalization` as `{ inputNormalization }`, an absent one as `{}`; an invalid one is refused. */
function optionalNormalization(value: unknown): { inputNormalization?: InputNormalization } {
  if (value === undefined) return {};
  if (!isRecord(value) || !isRgb(value.mean) || !isRgb(value.std) || !value.std.every((s) => s > 0)) {
    throw new ModelFileError('model.json has an input normalisation that is not three means and three positive standard deviations.');
  }
  return { inputNormalization: { mean: [...value.mean], std: [...value.std] } };
}

/** A side an import makes (32 or 64) as `{ imageSide }`, an absent one as `{}`; any other is refused. */
function optionalImageSide(value: unknown): { imageSide?: number } {
  if (value === undefined) return {};
  if (!isImageFolderSide(value)) throw new ModelFileError(`model.json says it was trained on images of side ${JSON.stringify(value).slice(0, 20)}; Distillery's are ${IMAGE_FOLDER_SIDES.join(' or ')} pixels.`);
  return { imageSide: value };
}

function isRgb(value: unknown): value is [number, number, number] {
  return Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Checks the weights file against the manifest before any tensor is made. */
export function checkWeightsFile(json: ModelJson, byteLength: number, fileName: string): void {
  const expected = manifestBytes(json);
  if (byteLength !== expected) {
    throw new ModelFileError(`${fileName} has ${byteLength} bytes, but model.json describes ${expected}: the two files do not belong together, or the weights file is cut short.`);
  }
}
