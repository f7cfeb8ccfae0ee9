/**
 * "Run it on PyTorch": the run's settings, the dataset it uses and any saved teacher it distils from, as one
 * `.distillery-pytorch.zip` that `python3 -m distillery_torch` (the repository's `python/` folder) runs on a
 * CPU, a GPU or, under torchrun, a cluster. The format is docs/pytorch-run-format.md:
 *
 *   run.json                     { format, version, exportedAt, link, config, dataset, teachers }
 *   teachers/teacher-<slot>.safetensors   saved teachers' weights, RepDistiller's state_dict names
 *   data/images.dstpack          an image-folder dataset's pictures as the page decoded them (contract/packedImages.ts)
 *   README.md                    how to run it and bring the results back
 *
 * Pure, DOM-free and tfjs-free: the page and `npm run export-pytorch` (Node) build the same bytes.
 */
import { strToU8, zipSync } from 'fflate';
import { DEFAULT_CONFIG, FIELDS, serializeConfig, validateConfig } from '../../config/fields';
import { savedTeacherSlots, type RunConfig } from '../../config/runConfig';
import { CIFAR_LAYOUTS, isCifarFormat, type DatasetFormat } from '../../contract/cifarFormat';
import { METHOD_CATALOG, defaultMethodParams, teacherCount, type MethodId } from '../../contract/methodCatalog';
import { MODEL_CATALOG } from '../../contract/modelCatalog';
import type { InputNormalization, ModelJson } from '../../contract/modelFile';
import { readPackedManifest } from '../../contract/packedImages';
import { manifestImageSide } from '../../contract/datasetManifest';
import { torchStateDictOf } from '../../interop/pytorch/export';
import { writeSafetensors } from '../../interop/pytorch/safetensorsWriter';
import { pytorchRunReadme } from './pytorchRunReadme';
import { runFileStem } from './runBundle';

export const PYTORCH_RUN_FORMAT = 'distillery-pytorch-run';
export const PYTORCH_RUN_VERSION = 1;
export const PYTORCH_RUN_EXTENSION = '.distillery-pytorch.zip';

export class PytorchExportError extends Error {
  override readonly name = 'PytorchExportError';
}

/** The dataset in use, as the package needs it to load the same images the same way. */
export interface PytorchRunDataset {
  /** The page's dataset id (`cifar10-subset`, `imported-cifar100`...). */
  readonly id: string;
  readonly format: DatasetFormat;
  readonly classNames: readonly string[];
  readonly normalization: InputNormalization;
}

/** A saved or imported model the run distils from: its saved-model files. */
export interface PytorchRunTeacherFiles {
  readonly json: ModelJson;
  readonly weights: ArrayBuffer;
}

export interface PytorchRunInput {
  readonly config: RunConfig;
  readonly dataset: PytorchRunDataset;
  /** The files of every model `config.savedTeacher` names, by model id; empty when the run trains its teachers. */
  readonly savedTeachers: Readonly<Record<string, PytorchRunTeacherFiles>>;
  /** Epoch milliseconds. */
  readonly exportedAt: number;
  /**
   * An image-folder dataset's decoded pictures, as the page keeps them (contract/packedImages.ts). They travel in
   * the zip: the user's folders may be gone, and another decoder would crop and resize them differently.
   */
  readonly images?: Uint8Array;
}

/** One entry of run.json's `teachers`. */
export interface PytorchRunTeacher {
  readonly slot: number;
  readonly model: string;
  readonly numClasses: number;
  readonly name: string;
  readonly file: string;
  readonly inputNormalization: InputNormalization;
}

export interface PytorchRunJson {
  readonly format: typeof PYTORCH_RUN_FORMAT;
  readonly version: typeof PYTORCH_RUN_VERSION;
  readonly exportedAt: string;
  readonly link: string;
  readonly config: RunConfig;
  readonly dataset: {
    readonly id: string;
    readonly kind: 'cifar10' | 'cifar100' | 'image-folder';
    readonly numClasses: number;
    readonly classNames: readonly string[];
    readonly normalization: InputNormalization;
    /** image-folder only: the decoded pictures in the zip, with their train and test counts. */
    readonly file?: string;
    readonly trainImages?: number;
    readonly testImages?: number;
    /** image-folder only: the side of its square pictures (32 or 64). */
    readonly imageSide?: number;
  };
  readonly teachers: readonly PytorchRunTeacher[];
}

export interface PytorchRunExport {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly runJson: PytorchRunJson;
}

/**
 * Why a config cannot be exported (for the page's disabled button), or null when it can. The package runs every
 * method but `custom`, whose loss is code written in the page.
 */
export function pytorchExportProblem(config: Pick<RunConfig, 'method'>): string | null {
  if (config.method === 'custom') return 'Your loss is code written in the page: code written in the page is not exportable to PyTorch.';
  return null;
}

export const PACKED_IMAGES_FILE = 'data/images.dstpack';

/**
 * The config as run.json holds it: every field of the URL table at its typed value, and every parameter of
 * the method (defaults filled). Refuses a config the page itself would not run.
 */
export function resolvedConfig(config: RunConfig): RunConfig {
  const fields = Object.fromEntries(FIELDS.map((field) => [field.key, config[field.key] ?? DEFAULT_CONFIG[field.key]]));
  const defaults = defaultMethodParams(config.method);
  const methodParams = Object.fromEntries(Object.keys(defaults).map((key) => [key, config.methodParams[key] ?? defaults[key]!]));
  const resolved = { ...fields, methodParams } as unknown as RunConfig;
  const problems = Object.entries(validateConfig(resolved));
  if (problems.length > 0) throw new PytorchExportError(`The settings are not valid, so they cannot be exported: ${problems.map(([key, why]) => `${key}: ${why}`).join('; ')}.`);
  return resolved;
}

function datasetEntry(dataset: PytorchRunDataset, images: Uint8Array | undefined): PytorchRunJson['dataset'] {
  if (dataset.format === 'image-folder') return imageFolderEntry(dataset, images);
  const layout = isCifarFormat(dataset.format) ? CIFAR_LAYOUTS[dataset.format] : undefined;
  if (!layout) throw new PytorchExportError(`The dataset "${dataset.id}" has the format "${String(dataset.format)}", which the PyTorch package does not read.`);
  if (dataset.classNames.length !== layout.numClasses) {
    throw new PytorchExportError(`The dataset "${dataset.id}" names ${dataset.classNames.length} classes, but ${layout.title} has ${layout.numClasses}.`);
  }
  const { mean, std } = dataset.normalization;
  return { id: dataset.id, kind: dataset.format === 'cifar100-binary' ? 'cifar100' : 'cifar10', numClasses: layout.numClasses, classNames: [...dataset.classNames], normalization: { mean: [...mean], std: [...std] } };
}

/** Your own images: their decoded pictures go in the zip, checked to be the dataset the run names. */
function imageFolderEntry(dataset: PytorchRunDataset, images: Uint8Array | undefined): PytorchRunJson['dataset'] {
  if (!images) throw new PytorchExportError(`The decoded images of "${dataset.id}" were not given: they must travel with the export.`);
  const { manifest } = readPackedManifest(images, (why) => new PytorchExportError(`The stored images of "${dataset.id}" cannot be exported (${why}); import them again.`));
  if (manifest.classNames.join('\n') !== dataset.classNames.join('\n')) {
    throw new PytorchExportError(`The stored images of "${dataset.id}" have the classes ${manifest.classNames.join(', ')}, not the dataset's ${dataset.classNames.join(', ')}.`);
  }
  const { mean, std } = dataset.normalization;
  return {
    id: dataset.id,
    kind: 'image-folder',
    numClasses: manifest.classNames.length,
    classNames: [...manifest.classNames],
    normalization: { mean: [...mean], std: [...std] },
    file: PACKED_IMAGES_FILE,
    trainImages: manifest.train.count,
    testImages: manifest.test.count,
    imageSide: manifestImageSide(manifest),
  };
}

/** The saved teacher's entry and safetensors bytes, checked against the run it teaches. */
function teacherEntry(config: RunConfig, dataset: PytorchRunJson['dataset'], files: PytorchRunTeacherFiles, slot: number): { entry: PytorchRunTeacher; bytes: Uint8Array } {
  const { model, numClasses } = files.json.modelTopology;
  const name = files.json.userDefinedMetadata.name;
  if (model !== config.teacher) {
    throw new PytorchExportError(`The saved teacher "${name}" is a ${MODEL_CATALOG[model]?.label ?? model}, but the run's teacher is ${MODEL_CATALOG[config.teacher].label} (teacher=${config.teacher}).`);
  }
  if (numClasses !== dataset.numClasses) throw new PytorchExportError(`The saved teacher "${name}" predicts ${numClasses} classes, but the dataset "${dataset.id}" has ${dataset.numClasses}.`);
  const inputNormalization = files.json.userDefinedMetadata.inputNormalization ?? dataset.normalization;
  const file = `teachers/teacher-${slot}.safetensors`;
  const metadata = { format: 'pt', model, numClasses: String(numClasses), name, inputNormalization: JSON.stringify(inputNormalization) };
  const bytes = writeSafetensors(torchStateDictOf(files.json, files.weights), metadata);
  return { entry: { slot, model, numClasses, name, file, inputNormalization: { mean: [...inputNormalization.mean], std: [...inputNormalization.std] } }, bytes };
}

/** The saved models whose weights the export carries, by teacher slot ('' : trained by the run); none for scratch. */
export function exportedSavedTeachers(config: Pick<RunConfig, 'savedTeacher' | 'method' | 'methodParams'>): string[] {
  return config.method === 'scratch' ? [] : savedTeacherSlots(config.savedTeacher).slice(0, teacherCount(config.method, config.methodParams));
}

/** The distinct saved models the export carries: the files to load for it. */
export function exportedSavedModelIds(config: Pick<RunConfig, 'savedTeacher' | 'method' | 'methodParams'>): string[] {
  return [...new Set(exportedSavedTeachers(config).filter((id) => id !== ''))];
}

/** A file name for the export: method, teacher, student and seed. */
export function pytorchRunFileName(config: RunConfig): string {
  const teacher = config.method === 'scratch' ? '' : `${config.teacher} to `;
  return `${runFileStem(`${config.method} ${teacher}${config.student} seed ${config.seed}`)}${PYTORCH_RUN_EXTENSION}`;
}

/** Builds the zip. Throws a `PytorchExportError` saying what cannot be exported. */
export function buildPytorchRun(input: PytorchRunInput): PytorchRunExport {
  const problem = pytorchExportProblem(input.config);
  if (problem) throw new PytorchExportError(problem);
  const config = resolvedConfig(input.config);
  const dataset = datasetEntry(input.dataset, input.images);
  const teachers: PytorchRunTeacher[] = [];
  const files: Record<string, Uint8Array> = {};
  exportedSavedTeachers(config).forEach((id, slot) => {
    if (id === '') return;
    const saved = input.savedTeachers[id];
    if (!saved) throw new PytorchExportError(`The run distils from the saved model ${id}, whose weights were not given: they must travel with the export.`);
    const { entry, bytes } = teacherEntry(config, dataset, saved, slot);
    teachers.push(entry);
    files[entry.file] = bytes;
  });
  const fileName = pytorchRunFileName(config);
  const runJson: PytorchRunJson = {
    format: PYTORCH_RUN_FORMAT,
    version: PYTORCH_RUN_VERSION,
    exportedAt: new Date(input.exportedAt).toISOString(),
    link: serializeConfig(config),
    config,
    dataset,
    teachers,
  };
  if (dataset.file) files[dataset.file] = input.images!;
  files['run.json'] = strToU8(JSON.stringify(runJson, null, 2) + '\n');
  files['README.md'] = strToU8(pytorchRunReadme(fileName, runJson));
  // Stored, not deflated: safetensors of float32 weights barely compress, and the page should not wait.
  const bytes = zipSync(files, { level: 0, mtime: new Date(input.exportedAt) });
  return { fileName, bytes, runJson };
}
