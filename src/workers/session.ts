/**
 * The training worker's state and message handling: the active backend, the loaded dataset, cached step
 * costs and at most one run. Separate from the worker entry so its logic reads (and types) on its own.
 */
import type { RunConfig } from '../config/runConfig';
import { manifestImageSide } from '../contract/datasetManifest';
import { isImportedDataset, loadImportedRecord, saveImportedArchive } from '../storage/archiveCache';
import { packDataset, unpackDataset } from '../data/packedDataset';
import { importImageSource, sourceBytes, sourceName } from './imageFolderSource';
import type { ImageFolderSource } from '../contract/protocol';
import type { ImageFolderSide } from '../contract/cifarFormat';
import { importCifarArchive } from '../data/cifarArchive';
import { loadDataset, type LoadedDataset } from '../data/datasetLoader';
import { RunControl } from '../training/runControl';
import { runExperiment, type RunData, type RunProgress } from '../training/run';
import type { RunPlan, StepCosts } from '../training/plan';
import { planRun, predictSeconds } from '../training/plan';
import { measureStepCosts } from '../training/stepCosts';
import { BatchSource } from '../data/batches';
import { selectBackend } from './backend';
import { TeacherCache } from '../training/teacherCache';
import { throttle } from './throttle';
import type { FromWorker, ToWorker } from '../contract/protocol';
import type { InspectionRequest } from '../contract/inspection';
import { inspect } from '../training/inspect';
import { ModelShelf } from '../training/modelShelf';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { clearCheckpoint, loadCheckpoint, saveCheckpoint } from '../storage/checkpointStore';
import { restoreNetwork } from '../models/networkWeights';
import { readTorchModelFile } from './torchModelImport';
import { loadSavedTeacher } from '../storage/worker/savedTeacher';
import { describeStorageError } from '../storage/storageErrors';
import { unhandledMessage } from '../contract/exhaustive';

type Post = (message: FromWorker) => void;

/** Progress messages at most ~10 per second. */
const PROGRESS_INTERVAL_MS = 100;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TrainingSession {
  #backend = '';
  /** Settles when the latest backend switch has; runs and estimates wait for it. */
  #backendReady: Promise<void> = Promise.resolve();
  #dataset: LoadedDataset | null = null;
  #run: { id: number; control: RunControl } | null = null;
  /** Step costs by what determines them, so an estimate made before Train is reused by the run. */
  readonly #costs = new Map<string, Promise<StepCosts>>();
  readonly #teachers = new TeacherCache();
  /** The last run's models, for the page's inspection panels. */
  readonly #shelf = new ModelShelf();

  constructor(private readonly post: Post) {}

  async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'init':
        this.#backendReady = this.#init(message.backend, message.remeasure === true);
        return this.#backendReady;
      case 'loadDataset':
        return this.#loadDataset(message.requestId, message.baseUrl, message.name);
      case 'importDataset':
        return this.#importDataset(message.requestId, message.file);
      case 'importImages':
        return this.#importImages(message.requestId, message.source, message.side);
      case 'estimate':
        return this.#estimate(message.requestId, message.config);
      case 'train':
        return this.#train(message.runId, message.config, message.resume === true);
      case 'pause':
      case 'resume':
      case 'step':
        if (this.#run?.id === message.runId) this.#run.control[message.type]();
        return;
      case 'stop':
        // Answered at once: the page ends a worker that does not answer in time (a loss that never returns).
        this.post({ type: 'stopping', runId: message.runId });
        if (this.#run?.id === message.runId) this.#run.control.stop();
        return;
      case 'inspect':
        return this.#inspect(message.requestId, message.request);
      case 'checkModel':
        return this.#checkModel(message);
      case 'readTorchModel':
        return this.#readTorchModel(message);
      default:
        return unhandledMessage(message, 'training worker');
    }
  }

  async #init(requested: RunConfig['backend'], remeasure: boolean): Promise<void> {
    try {
      const selection = await selectBackend(requested, { remeasure });
      if (selection.backend !== this.#backend) {
        // Measurements and trained weights belong to the backend they came from.
        this.#costs.clear();
        this.#shelf.clear();
        this.#teachers.clear();
      }
      this.#backend = selection.backend;
      this.post({ type: 'ready', requested, ...selection });
    } catch (error) {
      this.post({ type: 'error', runId: null, requestId: null, message: errorMessage(error), fatal: true });
    }
  }

  async #loadDataset(requestId: number, baseUrl: string, name: string): Promise<void> {
    const progress = throttle(PROGRESS_INTERVAL_MS, (p: { loadedBytes: number; totalBytes: number; file: string }) =>
      this.post({ type: 'datasetProgress', requestId, ...p }),
    );
    try {
      this.#dataset = null;
      this.#costs.clear();
      this.#shelf.clear();
      this.#teachers.clear();
      const dataset = isImportedDataset(name) ? await this.#loadImported(name, progress.call) : await loadDataset(baseUrl, name, { onProgress: progress.call });
      progress.flush();
      this.#useDataset(requestId, dataset);
    } catch (error) {
      progress.cancel();
      this.post({ type: 'error', runId: null, requestId, message: `Could not load dataset "${name}": ${errorMessage(error)}`, fatal: false });
    }
  }

  /** An archive imported earlier, parsed again from the browser's copy. */
  async #loadImported(name: string, onProgress: (p: { loadedBytes: number; totalBytes: number; file: string }) => void): Promise<LoadedDataset> {
    const record = await loadImportedRecord(name);
    if (!record) throw new Error('it is no longer stored in this browser; import it again.');
    const { archive } = record;
    if (record.kind === 'image-folder') return unpackDataset(archive, name);
    return importCifarArchive(archive, { onProgress: (p) => onProgress({ loadedBytes: p.readBytes, totalBytes: p.totalBytes ?? archive.size, file: p.member ?? name }) });
  }

  /**
   * Parses the user's archive; only once it has parsed does it replace the current dataset and the stored
   * copy of its format, so a broken file loses nothing.
   */
  async #importDataset(requestId: number, file: File): Promise<void> {
    const progress = throttle(PROGRESS_INTERVAL_MS, (p: { loadedBytes: number; totalBytes: number; file: string }) => this.post({ type: 'datasetProgress', requestId, ...p }));
    try {
      if (this.#run) throw new Error('a run is in progress: stop it first.');
      const dataset = await importCifarArchive(file, { onProgress: (p) => progress.call({ loadedBytes: p.readBytes, totalBytes: p.totalBytes ?? file.size, file: p.member ?? file.name }) });
      progress.flush();
      const { name, title } = dataset.manifest;
      await saveImportedArchive({ name, title, fileName: file.name, bytes: file.size, importedAt: Date.now() }, file).catch((error: unknown) =>
        // The dataset still works for this session; only keeping it across reloads failed.
        this.#notKept(`the imported dataset ${file.name} (after a reload it must be imported again)`, error),
      );
      this.#costs.clear();
      this.#shelf.clear();
      this.#teachers.clear();
      this.#useDataset(requestId, dataset);
    } catch (error) {
      progress.cancel();
      this.post({ type: 'error', runId: null, requestId, message: `Could not import "${file.name}": ${errorMessage(error)}`, fatal: false });
    }
  }

  /**
   * Decodes the user's image folder or zip; like an archive, it replaces the current dataset (and a stored one
   * of its name) only once it has imported. What was left out comes back as notes.
   */
  async #importImages(requestId: number, source: ImageFolderSource, side: ImageFolderSide): Promise<void> {
    const progress = throttle(PROGRESS_INTERVAL_MS, (p: { loadedBytes: number; totalBytes: number; file: string }) => this.post({ type: 'datasetProgress', requestId, ...p }));
    const fileName = sourceName(source);
    try {
      if (this.#run) throw new Error('a run is in progress: stop it first.');
      const { dataset, notes } = await importImageSource(source, side, progress.call);
      progress.flush();
      const { name, title } = dataset.manifest;
      const entry = { name, title, fileName, bytes: sourceBytes(source), importedAt: Date.now(), kind: 'image-folder' as const };
      await saveImportedArchive(entry, packDataset(dataset)).catch((error: unknown) => this.#notKept(`the imported images ${fileName} (after a reload they must be imported again)`, error));
      this.#costs.clear();
      this.#shelf.clear();
      this.#teachers.clear();
      this.#useDataset(requestId, dataset, notes);
    } catch (error) {
      progress.cancel();
      this.post({ type: 'error', runId: null, requestId, message: `Could not import "${fileName}": ${errorMessage(error)}`, fatal: false });
    }
  }

  #notKept(what: string, error: unknown): void {
    this.post({ type: 'notKept', what, reason: describeStorageError(error) });
  }

  #useDataset(requestId: number, dataset: LoadedDataset, importNotes?: readonly string[]): void {
    this.#dataset = dataset;
    const { manifest, train, test } = dataset;
    this.post({ type: 'datasetReady', requestId, ...(importNotes ? { importNotes } : {}), summary: { name: manifest.name, title: manifest.title, classNames: manifest.classNames, trainCount: train.count, testCount: test.count, format: manifest.format, normalization: { mean: manifest.mean, std: manifest.std }, imageSide: manifestImageSide(manifest) } });
  }

  #runData(): RunData {
    if (!this.#dataset) throw new Error('No dataset is loaded yet.');
    const { manifest, train, test } = this.#dataset;
    return { train, test, normalization: { mean: manifest.mean, std: manifest.std }, numClasses: manifest.classNames.length };
  }

  #stepCosts(config: RunConfig, plan: RunPlan, train: BatchSource, test: BatchSource, numClasses: number): Promise<StepCosts> {
    // What the costs depend on: each learner's architecture and whether it runs the teachers, batch, backend.
    const learners = [...plan.teachers, ...plan.students].map((l) => [l.key, l.model, METHOD_CATALOG[l.method].needs.teachers.max > 0]);
    const key = JSON.stringify([learners, plan.batch, this.#backend]);
    let costs = this.#costs.get(key);
    if (!costs) {
      costs = measureStepCosts(plan, config, train, test, numClasses);
      costs.catch(() => this.#costs.delete(key));
      this.#costs.set(key, costs);
    }
    return costs;
  }

  async #estimate(requestId: number, config: RunConfig): Promise<void> {
    await this.#backendReady;
    try {
      const data = this.#runData();
      const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
      const train = new BatchSource(data.train, data.normalization);
      const test = new BatchSource(data.test, data.normalization);
      try {
        const costs = await this.#stepCosts(config, plan, train, test, data.numClasses);
        const seconds = predictSeconds(plan, config, costs);
        const secondsPerImage = Object.fromEntries(Object.entries(costs.trainStep).map(([key, s]) => [key, s / plan.batch]));
        this.post({ type: 'estimate', requestId, seconds: seconds.teachers + seconds.students, secondsPerImage });
      } finally {
        train.dispose();
        test.dispose();
      }
    } catch (error) {
      this.post({ type: 'error', runId: null, requestId, message: `Could not estimate the run: ${errorMessage(error)}`, fatal: false });
    }
  }

  async #inspect(requestId: number, request: InspectionRequest): Promise<void> {
    await this.#backendReady;
    try {
      if (this.#run) throw new Error('The models can be inspected when the run has ended.');
      const result = await this.#shelf.with((context) => inspect(request, context));
      this.post({ type: 'inspection', requestId, result });
    } catch (error) {
      this.post({ type: 'error', runId: null, requestId, message: errorMessage(error), fatal: false });
    }
  }

  /** Builds the file's architecture and loads its weights, which checks every name and shape; then lets it go. */
  async #checkModel({ requestId, json, weights, weightsFileName }: Extract<ToWorker, { type: 'checkModel' }>): Promise<void> {
    await this.#backendReady;
    try {
      restoreNetwork(json, weights, 'imported-check', weightsFileName).dispose();
      this.post({ type: 'modelChecked', requestId });
    } catch (error) {
      this.post({ type: 'error', runId: null, requestId, message: errorMessage(error), fatal: false });
    }
  }

  /** Reads a picked PyTorch file and matches it to a zoo model; nothing is kept until the page confirms. */
  async #readTorchModel({ requestId, file }: Extract<ToWorker, { type: 'readTorchModel' }>): Promise<void> {
    await this.#backendReady;
    try {
      const preview = await readTorchModelFile(file);
      this.post({ type: 'torchModelRead', requestId, preview });
    } catch (error) {
      this.post({ type: 'error', runId: null, requestId, message: errorMessage(error), fatal: false });
    }
  }

  async #train(runId: number, requested: RunConfig, resume: boolean): Promise<void> {
    if (this.#run) {
      this.post({ type: 'error', runId, requestId: null, message: 'A run is already in progress: stop it first.', fatal: false });
      return;
    }
    const progress = throttle(PROGRESS_INTERVAL_MS, (p: RunProgress) => this.post({ type: 'progress', runId, ...p }));
    const control = new RunControl((state) => {
      if (state === 'stopped') return;
      progress.flush(); // the page's step count is final when it reads "paused"
      this.post({ type: 'status', runId, status: state === 'paused' ? 'paused' : 'training' });
    });
    this.#run = { id: runId, control };
    await this.#backendReady;
    const start = performance.now();
    try {
      const checkpoint = resume ? await loadCheckpoint() : undefined;
      if (resume && !checkpoint) throw new Error('There is no unfinished run to resume in this browser.');
      // A new run replaces the last unfinished one; a resumed run goes on with its own config.
      if (!resume) await clearCheckpoint().catch(() => {});
      const config = checkpoint?.config ?? requested;
      if (checkpoint && this.#dataset?.manifest.name !== config.dataset) throw new Error(`The run to resume trained on "${config.dataset}": load that dataset first.`);
      const data = this.#runData();
      const outcome = await runExperiment(config, data, control, {
        started: (plan) => this.post({ type: 'runStarted', runId, plan }),
        progress: progress.call,
        epoch: (metrics) => {
          progress.flush();
          this.post({ type: 'epoch', runId, metrics });
        },
        learnerDone: (result) => this.post({ type: 'learnerDone', runId, result }),
        samples: (samples) => this.post({ type: 'samples', runId, samples }),
      }, { measureCosts: (plan, train, test) => this.#stepCosts(config, plan, train, test, data.numClasses), teacherCache: this.#teachers, shelf: this.#shelf, loadSavedTeacher, resume: checkpoint,
        checkpoints: { backend: this.#backend, save: (c) => saveCheckpoint(c).catch((error: unknown) => this.#notKept('this run’s checkpoint (a reload or a lost device cannot resume it)', error)) },
      });
      progress.flush();
      if (!outcome.stopped) await clearCheckpoint().catch(() => {});
      this.post({ type: 'done', runId, results: outcome.results, stopped: outcome.stopped, seconds: (performance.now() - start) / 1000 });
    } catch (error) {
      progress.cancel();
      this.post({ type: 'error', runId, requestId: null, message: describeRunError(error), fatal: false });
    } finally {
      this.#run = null;
    }
  }
}

/** Turns backend failures into advice a person can act on. */
export function describeRunError(error: unknown): string {
  const message = errorMessage(error);
  if (/out of memory|OOM|allocation|device (was )?lost|Failed to create buffer/i.test(message)) {
    return `The GPU ran out of memory or was lost (${message}). Try a smaller batch size or a smaller model.`;
  }
  return message;
}
