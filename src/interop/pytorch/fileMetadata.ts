/**
 * What a safetensors file's `__metadata__` says about the model it holds. The PyTorch package
 * (`python/distillery_torch`) writes `format: "distillery-torch"` with `model`, `numClasses` and
 * `inputNormalization` (a JSON string): those are promises, so each is required and checked, and the importer
 * uses them (the architecture to try, the class count to expect, the normalisation to keep) while still
 * checking every tensor's name and shape. Other writers' metadata (the page's own export writes
 * `format: "pt"`, `model`, `numClasses`) is only a hint: what is valid is used, the rest ignored.
 */
import { isImageFolderSide } from '../../contract/cifarFormat';
import { isModelId, type ModelId } from '../../contract/modelCatalog';
import type { InputNormalization } from '../../contract/modelFile';
import { TorchImportError } from './errors';

export const DISTILLERY_TORCH_FORMAT = 'distillery-torch';

export interface ModelHints {
  /** True for the package's files, whose metadata must hold. */
  readonly promised: boolean;
  readonly model?: ModelId;
  readonly numClasses?: number;
  readonly inputNormalization?: InputNormalization;
  readonly name?: string;
  /** What the package also records: the dataset id, its class names, the model's last test accuracy and its images' side. */
  readonly dataset?: string;
  readonly classNames?: readonly string[];
  readonly testAccuracy?: number;
  readonly imageSide?: number;
}

function refuse(field: string, wanted: string, value: string | undefined): never {
  throw new TorchImportError(`This file's metadata says it was written by Distillery's PyTorch package (format "${DISTILLERY_TORCH_FORMAT}"), but its ${field} ${value === undefined ? 'is missing' : `is ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`}: it should be ${wanted}.`);
}

function classCount(value: string | undefined): number | undefined {
  const number = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number) && number >= 2 ? number : undefined;
}

function normalization(value: string | undefined): InputNormalization | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  const rgb = (v: unknown, positive: boolean): v is [number, number, number] =>
    Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { mean, std } = parsed as { mean?: unknown; std?: unknown };
  return rgb(mean, false) && rgb(std, true) ? { mean: [...mean], std: [...std] } : undefined;
}

export function modelHints(metadata: Readonly<Record<string, string>> | undefined): ModelHints {
  if (!metadata) return { promised: false };
  const promised = metadata.format === DISTILLERY_TORCH_FORMAT;
  const model = metadata.model !== undefined && isModelId(metadata.model) ? metadata.model : undefined;
  const numClasses = classCount(metadata.numClasses);
  const inputNormalization = normalization(metadata.inputNormalization);
  if (promised) {
    if (!model) refuse('model', 'the id of a model of the zoo', metadata.model);
    if (numClasses === undefined) refuse('numClasses', 'a whole number of classes from 2', metadata.numClasses);
    if (!inputNormalization) refuse('inputNormalization', 'JSON {"mean": [r, g, b], "std": [r, g, b]} with positive std', metadata.inputNormalization);
  }
  const name = typeof metadata.name === 'string' && metadata.name.trim() !== '' ? metadata.name.trim().slice(0, 80) : undefined;
  return { promised, ...(model ? { model } : {}), ...(numClasses ? { numClasses } : {}), ...(inputNormalization ? { inputNormalization } : {}), ...(name ? { name } : {}), ...recorded(metadata) };
}

/** The optional record fields, each kept only when well-formed (they describe, they do not promise). */
function recorded(metadata: Readonly<Record<string, string>>): Pick<ModelHints, 'dataset' | 'classNames' | 'testAccuracy' | 'imageSide'> {
  const dataset = typeof metadata.dataset === 'string' && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(metadata.dataset) ? metadata.dataset : undefined;
  let classNames: string[] | undefined;
  try {
    const parsed: unknown = metadata.classNames === undefined ? undefined : JSON.parse(metadata.classNames);
    if (Array.isArray(parsed) && parsed.every((c) => typeof c === 'string')) classNames = parsed as string[];
  } catch {
    classNames = undefined;
  }
  const accuracy = metadata.testAccuracy === undefined ? Number.NaN : Number(metadata.testAccuracy);
  const testAccuracy = Number.isFinite(accuracy) && accuracy >= 0 && accuracy <= 1 ? accuracy : undefined;
  const side = metadata.imageSide !== undefined && /^\d+$/.test(metadata.imageSide) ? Number(metadata.imageSide) : undefined;
  const imageSide = isImageFolderSide(side) ? side : undefined;
  return { ...(dataset ? { dataset } : {}), ...(classNames ? { classNames } : {}), ...(testAccuracy !== undefined ? { testAccuracy } : {}), ...(imageSide ? { imageSide } : {}) };
}
