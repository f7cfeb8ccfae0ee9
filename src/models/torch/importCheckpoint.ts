/**
 * A PyTorch state_dict (read by `src/interop/pytorch`) into the playground's saved-model files: works out
 * which zoo model and class count it is from its names and shapes, checks every tensor against that
 * architecture, converts each to tfjs's layout and writes model.json + weights (see `modelFile.ts`).
 *
 * Worker side (it builds candidate networks with tfjs to learn their names and shapes), also used by the
 * command line (`npm run import-torch`).
 *
 * API:
 * - `importTorchCheckpoint(bytes, options)` -> `ImportedTorchModel`, or throws `TorchImportError`.
 * - `matchZooModel(checkpoint)` -> `ZooArchitecture` (model id, class count, names), or throws saying
 *   which names or shapes are off against the closest zoo model.
 * - `checkpointToModelFile(checkpoint, architecture, metadata)` -> { json, weights }.
 */
import { readTorchCheckpoint, TorchImportError, type TorchCheckpoint } from '../../interop/pytorch/checkpoint';
import { MODEL_CATALOG, MODEL_IDS, type ModelId } from '../../contract/modelCatalog';
import { CIFAR10_NORMALIZATION, modelJson, modelFileStem, REPDISTILLER_CIFAR100_NORMALIZATION, type InputNormalization, type ModelJson, type ModelMetadata, type WeightSpec } from '../../contract/modelFile';
import { buildNetwork } from '../zoo';
import { tfjsShapeOf, torchShapeOf, torchToTfjs } from '../../interop/pytorch/layout';
import { torchNames, type TorchName } from '../../interop/pytorch/stateDictNames/names';
import { modelHints, type ModelHints } from '../../interop/pytorch/fileMetadata';
import { trainingRecordWords, type TrainingRecord } from '../../interop/pytorch/trainingRecord';

/** A zoo model as PyTorch sees it: its state_dict names (in the zoo's variable order) and their shapes. */
export interface ZooArchitecture {
  readonly model: ModelId;
  readonly numClasses: number;
  readonly names: readonly TorchName[];
  /** PyTorch shape by PyTorch name. */
  readonly torchShapes: ReadonlyMap<string, readonly number[]>;
}

export interface ImportOptions {
  /** Shown in menus; default "<label> from <file name>". */
  readonly name?: string;
  readonly fileName?: string;
  readonly dataset?: string;
  readonly classNames?: readonly string[];
  /** Default: `defaultImportNormalization(numClasses)`. */
  readonly inputNormalization?: InputNormalization;
  /** Epoch milliseconds stamped as savedAt. */
  readonly now?: number;
}

export interface ImportedTorchModel {
  readonly model: ModelId;
  readonly numClasses: number;
  /** Whether the input normalisation came from the file's metadata (else the options' or the default). */
  readonly normalizationFromFile: boolean;
  readonly checkpoint: Pick<TorchCheckpoint, 'format' | 'layout' | 'strippedModulePrefix' | 'record'>;
  readonly json: ModelJson;
  readonly weights: ArrayBuffer;
}

/** RepDistiller's CIFAR constants: its CIFAR-100 ones for 100 classes, the CIFAR-10 ones otherwise. */
export function defaultImportNormalization(numClasses: number): InputNormalization {
  return numClasses === 100 ? REPDISTILLER_CIFAR100_NORMALIZATION : CIFAR10_NORMALIZATION;
}

export function importTorchCheckpoint(bytes: Uint8Array, options: ImportOptions = {}): ImportedTorchModel {
  const checkpoint = readTorchCheckpoint(bytes);
  const hints = modelHints(checkpoint.metadata);
  const architecture = matchZooModel(checkpoint, hints);
  const label = MODEL_CATALOG[architecture.model].label;
  const fromFile = options.inputNormalization === undefined && hints.inputNormalization !== undefined;
  const recorded = trainingRecordWords(checkpoint.record);
  const metadata: ModelMetadata = {
    name: (options.name ?? hints.name ?? `${label}${options.fileName ? ` from ${options.fileName}` : ' (PyTorch)'}`).slice(0, 80),
    dataset: options.dataset ?? hints.dataset ?? recordedDataset(checkpoint.record) ?? 'unknown',
    classNames: options.classNames ?? hints.classNames ?? [],
    testAccuracy: hints.testAccuracy ?? checkpoint.record?.accuracy?.value ?? null,
    trainedWith: hints.promised ? 'Trained by Distillery on PyTorch (distillery_torch)' : `Imported from PyTorch (${checkpoint.format}, ${checkpoint.layout})${recorded ? `; its script recorded ${recorded}` : ''}`,
    savedAt: options.now ?? 0,
    inputNormalization: options.inputNormalization ?? hints.inputNormalization ?? defaultImportNormalization(architecture.numClasses),
    ...(hints.imageSide ? { imageSide: hints.imageSide } : {}),
  };
  const { json, weights } = checkpointToModelFile(checkpoint, architecture, metadata);
  const { format, layout, strippedModulePrefix, record } = checkpoint;
  return { model: architecture.model, numClasses: architecture.numClasses, normalizationFromFile: fromFile, checkpoint: { format, layout, strippedModulePrefix, ...(record ? { record } : {}) }, json, weights };
}

/** The dataset a script's options name (RepDistiller's opt.dataset: 'cifar100'), when it is a plain id. */
function recordedDataset(record: TrainingRecord | undefined): string | undefined {
  const dataset = record?.options?.dataset;
  return typeof dataset === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(dataset) ? dataset : undefined;
}

/** Every tensor decoded, checked finite, permuted to tfjs order and packed in the zoo's variable order. */
export function checkpointToModelFile(checkpoint: TorchCheckpoint, architecture: ZooArchitecture, metadata: ModelMetadata): { json: ModelJson; weights: ArrayBuffer } {
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  for (const { local, torch, layout } of architecture.names) {
    const tensor = checkpoint.tensors.get(torch)!;
    const values = tensor.toFloat32();
    if (!values.every(Number.isFinite)) throw new TorchImportError(`Tensor "${torch}" holds NaN or infinite values: refused.`);
    parts.push(torchToTfjs(layout, values, tensor.shape));
    specs.push({ name: local, shape: tfjsShapeOf(layout, tensor.shape), dtype: 'float32' });
  }
  const weights = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    weights.set(part, offset);
    offset += part.length;
  }
  const json = modelJson(architecture.model, architecture.numClasses, specs, `${modelFileStem(metadata.name)}.weights.bin`, metadata);
  return { json, weights: weights.buffer };
}

const PLAUSIBLE_RATIO = 3;
const ALWAYS_TRIED = 3;

/** How one candidate differs from the checkpoint. */
interface Mismatch {
  readonly model: ModelId;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly wrongShapes: readonly string[];
}

/**
 * The zoo model whose state_dict has exactly the checkpoint's names and shapes, trying models in order of
 * parameter count (the closest first, so a match usually costs one build). Throws against the closest.
 */
export function matchZooModel(checkpoint: TorchCheckpoint, hints: ModelHints = { promised: false }): ZooArchitecture {
  if (hints.model) {
    // The file names its model: try it first; a file that promised it must hold exactly it.
    const named = tryModel(checkpoint, hints.model);
    if (!('missing' in named)) {
      if (hints.promised && named.numClasses !== hints.numClasses) {
        throw new TorchImportError(`This file's metadata says ${hints.numClasses} classes, but its classifier has ${named.numClasses} outputs.`);
      }
      return named;
    }
    if (hints.promised) throw new TorchImportError(`This file's metadata says it holds a ${MODEL_CATALOG[hints.model].label}, but its tensors do not fit one: ${describeMismatch(named, false)}`);
  }
  const count = trainableCount(checkpoint);
  // Building a candidate costs its initialisation (vgg19: 20M draws): only models within a factor of
  // PLAUSIBLE_RATIO of the checkpoint's size are tried (a head for more classes stays well inside that),
  // and always the few nearest, so that a mismatch can be explained against something.
  const candidates = [...MODEL_IDS]
    .sort((a, b) => distance(a, count) - distance(b, count))
    .filter((model, rank) => rank < ALWAYS_TRIED || distance(model, count) <= Math.log(PLAUSIBLE_RATIO));
  let closest: Mismatch | null = null;
  for (const model of candidates) {
    const result = tryModel(checkpoint, model);
    if (!('missing' in result)) return result;
    if (!closest || score(result) < score(closest)) closest = result;
  }
  throw new TorchImportError(describeMismatch(closest!));
}

function tryModel(checkpoint: TorchCheckpoint, model: ModelId): ZooArchitecture | Mismatch {
  const at10 = describeZooModel(model, 10);
  const expected = new Set(at10.names.map((n) => n.torch));
  const missing = at10.names.map((n) => n.torch).filter((name) => !checkpoint.tensors.has(name));
  const unexpected = [...checkpoint.tensors.keys()].filter((name) => !expected.has(name));
  if (missing.length > 0 || unexpected.length > 0) return { model, missing, unexpected, wrongShapes: [] };
  const numClasses = checkpoint.tensors.get(at10.classifierWeight)!.shape[0] ?? 0;
  const architecture = numClasses === 10 || numClasses < 2 ? at10 : describeZooModel(model, numClasses);
  const wrongShapes = architecture.names.flatMap(({ torch }) => {
    const got = checkpoint.tensors.get(torch)!.shape;
    const want = architecture.torchShapes.get(torch)!;
    return sameShape(got, want) ? [] : [`"${torch}" is [${got.join(', ')}] where ${MODEL_CATALOG[model].label} needs [${want.join(', ')}]`];
  });
  if (numClasses < 2) wrongShapes.unshift(`the classifier "${at10.classifierWeight}" has ${numClasses} outputs`);
  return wrongShapes.length > 0 ? { model, missing, unexpected, wrongShapes } : { model, numClasses, names: architecture.names, torchShapes: architecture.torchShapes };
}

/** Builds the zoo network once to read its variables' names and shapes (in PyTorch terms). */
export function describeZooModel(model: ModelId, numClasses: number): ZooArchitecture & { readonly classifierWeight: string } {
  const net = buildNetwork(model, { numClasses, name: `torch-import-${model}`, seed: 0 });
  try {
    const variables = net.params.named;
    const names = torchNames(model, variables.keys());
    const torchShapes = new Map(names.map(({ local, torch, layout }) => [torch, torchShapeOf(layout, variables.get(local)!.shape)]));
    const classifierLocal = [...variables].find(([, variable]) => variable === net.classifier.weight)![0];
    const classifierWeight = names.find((n) => n.local === classifierLocal)!.torch;
    return { model, numClasses, names, torchShapes, classifierWeight };
  } finally {
    net.dispose();
  }
}

function trainableCount(checkpoint: TorchCheckpoint): number {
  let count = 0;
  for (const [name, tensor] of checkpoint.tensors) {
    if (!/running_(mean|var)$/.test(name)) count += tensor.shape.reduce((a, b) => a * b, 1);
  }
  return count;
}

function distance(model: ModelId, count: number): number {
  return Math.abs(Math.log((MODEL_CATALOG[model].paramsMillions * 1e6) / Math.max(count, 1)));
}

function score(mismatch: Mismatch): number {
  return mismatch.missing.length + mismatch.unexpected.length + mismatch.wrongShapes.length;
}

function describeMismatch({ model, missing, unexpected, wrongShapes }: Mismatch, closest = true): string {
  const label = `${MODEL_CATALOG[model].label} (${model})`;
  const parts = [
    missing.length > 0 ? `${missing.length} of its tensors missing (first: "${missing[0]}")` : '',
    unexpected.length > 0 ? `${unexpected.length} tensors it does not have (first: "${unexpected[0]}")` : '',
    wrongShapes.length > 0 ? `${wrongShapes.length} of another shape (first: ${wrongShapes[0]})` : '',
  ].filter(Boolean);
  return closest ? `This checkpoint matches no model of the zoo. The closest is ${label}, with ${parts.join('; ')}.` : `${label} has ${parts.join('; ')}.`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
