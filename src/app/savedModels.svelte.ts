/**
 * The models kept in this browser, as the page sees them: the list, saving a model of the last run,
 * exporting one in the tfjs format, importing a picked model.json + weights file, deleting. The worker
 * encodes weights and checks shapes; everything else here is plain data and IndexedDB.
 */
import type { RunConfig } from '../config/runConfig';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { exportTorchFile, type TorchFormat } from '../interop/pytorch/export';
import { checkWeightsFile, MAX_WEIGHTS_BYTES, ModelFileError, modelFileStem, parseModelJson, type InputNormalization, type ModelJson, type ModelMetadata } from '../contract/modelFile';
import { deleteModel, listModels, loadModel, newModelId, saveModel, savedModelRecord, type SavedModelSummary } from '../storage/modelStore';
import type { DatasetSummary, ModelResult, TorchModelPreview } from '../contract/protocol';
import type { ReadyTeacher } from '../contract/readyTeachers';
import { describeStorageError } from '../storage/storageErrors';
import { downloadBytes, downloadText } from '../ui/download';
import type { Trainer } from '../client/trainer.svelte';

/** model.json files are a few kilobytes; anything this large is not one. */
const MAX_MODEL_JSON_BYTES = 4 * 1024 * 1024;
/** A training checkpoint holds the weights and the optimizer's momentum: about twice the weights, plus slack. */
export const MAX_TORCH_FILE_BYTES = 3 * MAX_WEIGHTS_BYTES;

/** What the user confirms about a PyTorch import before it is kept. */
export interface TorchImportChoice {
  readonly name: string;
  readonly inputNormalization: InputNormalization;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Keeps a model record, saying in words why the browser would not (a full quota, a private window). */
async function keep(json: ModelJson, weights: ArrayBuffer, id = newModelId()): Promise<SavedModelSummary> {
  try {
    return await saveModel(savedModelRecord(id, json, weights));
  } catch (error) {
    throw new Error(`The model was not kept in this browser: ${describeStorageError(error)}`);
  }
}

/** What a model of a finished run is called and how it was trained, for its saved record. */
export function runModelMetadata(result: ModelResult, config: RunConfig, dataset: DatasetSummary, now: number): ModelMetadata {
  const { learner } = result;
  const how = learner.role === 'student' ? METHOD_CATALOG[config.method].label : learner.role === 'teacher' ? 'cross-entropy (teacher)' : 'cross-entropy (scratch baseline)';
  const epochs = result.reused ? 'reused' : `${result.epochs} epoch${result.epochs === 1 ? '' : 's'}`;
  return {
    name: `${learner.label} \u00b7 seed ${config.seed}`.slice(0, 80),
    dataset: dataset.name,
    classNames: [...dataset.classNames],
    testAccuracy: result.lastAccuracy,
    trainedWith: `${how}, ${epochs}, ${Math.min(config.subset, dataset.trainCount)} images of ${dataset.name}`,
    savedAt: now,
    imageSide: dataset.imageSide,
  };
}

/** Picks model.json and its weights file from what the user chose, or says what is missing. */
export function pickModelFiles(files: readonly File[]): { json: File; weights: File } {
  const json = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const weights = files.filter((f) => !f.name.toLowerCase().endsWith('.json'));
  if (json.length !== 1 || weights.length !== 1) {
    throw new ModelFileError(`Pick two files together: the model's .json and its .weights.bin (you picked ${files.length === 0 ? 'none' : files.map((f) => f.name).join(', ')}).`);
  }
  return { json: json[0]!, weights: weights[0]! };
}

export class SavedModels {
  list = $state.raw<SavedModelSummary[]>([]);
  /** False until the first listing has answered (so a link's saved teacher is not called missing too soon). */
  loaded = $state(false);
  /** Why the list could not be read (no IndexedDB), shown in the panel. */
  error = $state<string | null>(null);

  constructor(private readonly trainer: Trainer) {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.list = await listModels();
      this.error = null;
    } catch (error) {
      this.error = messageOf(error);
    } finally {
      this.loaded = true;
    }
  }

  async #encode(result: ModelResult): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
    const { runConfig, dataset } = this.trainer;
    if (!runConfig || !dataset) throw new Error('There is no finished run to take the model from.');
    const metadata = runModelMetadata(result, runConfig, dataset, Date.now());
    const encoded = await this.trainer.inspect({ kind: 'encodeModel', model: result.learner.key, metadata });
    return { json: encoded.json, weights: encoded.weights };
  }

  /** Keeps a model of the last run in the browser; resolves to its summary. */
  async saveFromRun(result: ModelResult): Promise<SavedModelSummary> {
    const { json, weights } = await this.#encode(result);
    const saved = await keep(json, weights);
    await this.refresh();
    return saved;
  }

  async exportFromRun(result: ModelResult, format: ExportFormat = 'tfjs'): Promise<void> {
    const { json, weights } = await this.#encode(result);
    download(json, weights, format);
  }

  async exportSaved(id: string, format: ExportFormat = 'tfjs'): Promise<void> {
    const record = await loadModel(id);
    if (!record) throw new Error('That model is no longer stored in this browser.');
    download(record.json, record.weights, format);
  }

  /**
   * Reads a picked model.json + weights file, checks it against the dataset in use (class count) and the
   * architecture it names (every weight's name and shape, in the worker), then keeps it.
   */
  async importFiles(files: readonly File[]): Promise<SavedModelSummary> {
    const dataset = this.trainer.dataset;
    if (!dataset) throw new Error('Load a dataset first: an imported model must fit its classes.');
    const picked = pickModelFiles(files);
    if (picked.json.size > MAX_MODEL_JSON_BYTES) throw new ModelFileError(`${picked.json.name} is ${(picked.json.size / 2 ** 20).toFixed(1)} MB, far larger than a model.json; pick the .json an export wrote.`);
    if (picked.weights.size > MAX_WEIGHTS_BYTES) throw new ModelFileError(`${picked.weights.name} is larger than any network here (${MAX_WEIGHTS_BYTES / 2 ** 20} MB).`);
    const json = parseModelJson(await picked.json.text(), { numClasses: dataset.classNames.length });
    const weights = await picked.weights.arrayBuffer();
    checkWeightsFile(json, weights.byteLength, picked.weights.name);
    await this.trainer.checkModel(json, weights, picked.weights.name);
    const saved = await keep(json, weights);
    await this.refresh();
    return saved;
  }

  /**
   * Reads a picked PyTorch file (.pth, .safetensors) in the worker and matches it to a zoo model. Nothing is
   * kept: the page shows the preview for the user to confirm (`keepTorchImport`).
   */
  async readTorchFile(file: File): Promise<TorchModelPreview> {
    if (file.size === 0) throw new ModelFileError(`${file.name} is empty (0 bytes): pick the .pth or .safetensors file itself.`);
    if (file.size > MAX_TORCH_FILE_BYTES) throw new ModelFileError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB, more than a checkpoint of any network here (${MAX_TORCH_FILE_BYTES / 2 ** 20} MB).`);
    return this.trainer.readTorchModel(file);
  }

  /** Keeps a confirmed PyTorch import, with the name and input normalisation the user chose. */
  async keepTorchImport(preview: TorchModelPreview, choice: TorchImportChoice): Promise<SavedModelSummary> {
    const classNames = this.trainer.dataset?.classNames.length === preview.numClasses ? [...this.trainer.dataset.classNames] : [];
    const metadata: ModelMetadata = { ...preview.json.userDefinedMetadata, name: choice.name.trim().slice(0, 80) || preview.json.userDefinedMetadata.name, classNames, inputNormalization: choice.inputNormalization, savedAt: Date.now() };
    const saved = await keep({ ...preview.json, userDefinedMetadata: metadata }, preview.weights);
    await this.refresh();
    return saved;
  }

  /**
   * Keeps a ready teacher (read by the worker as any PyTorch import) under the id its bytes give it, so links
   * naming that id find it; its name, accuracy and recipe come from the manifest.
   */
  async keepReadyTeacher(preview: TorchModelPreview, teacher: ReadyTeacher, datasetClassNames: readonly string[]): Promise<SavedModelSummary> {
    const metadata: ModelMetadata = {
      ...preview.json.userDefinedMetadata,
      name: `Ready ${teacher.label}`,
      dataset: teacher.dataset,
      classNames: [...datasetClassNames],
      testAccuracy: teacher.accuracy,
      trainedWith: `cross-entropy (ready teacher), ${teacher.epochs} epochs, ${teacher.trainImages} images of ${teacher.dataset}, seed ${teacher.seed}, PyTorch`,
      savedAt: Date.now(),
    };
    const saved = await keep({ ...preview.json, userDefinedMetadata: metadata }, preview.weights, teacher.savedModelId);
    await this.refresh();
    return saved;
  }

  async remove(id: string): Promise<void> {
    await deleteModel(id);
    await this.refresh();
  }
}

/** The tfjs files (model.json + weights), or one PyTorch file with RepDistiller's names. */
export type ExportFormat = 'tfjs' | TorchFormat;

function download(json: ModelJson, weights: ArrayBuffer, format: ExportFormat): void {
  if (format !== 'tfjs') {
    const { fileName, bytes } = exportTorchFile(json, weights, format);
    downloadBytes(fileName, bytes as Uint8Array<ArrayBuffer>, 'application/octet-stream');
    return;
  }
  const stem = modelFileStem(json.userDefinedMetadata.name);
  // The manifest names the weights file, so the two downloads load together with tf.io or an import here.
  const manifest = { ...json, weightsManifest: [{ ...json.weightsManifest[0], paths: [`${stem}.weights.bin`] }] };
  downloadText(`${stem}.json`, JSON.stringify(manifest), 'application/json');
  downloadBytes(`${stem}.weights.bin`, weights, 'application/octet-stream');
}
