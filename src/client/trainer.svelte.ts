/**
 * The page's one handle on the training worker: it owns the Worker, sends typed commands and keeps the
 * reactive state the components render. Components never see the worker or tfjs.
 */
import type { BackendChoice, BackendName, RunConfig } from '../config/runConfig';
import type { ModelJson } from '../contract/modelFile';
import type { Inspect, InspectionResult } from '../contract/inspection';
import type { ImageFolderSide } from '../contract/cifarFormat';
import type { AdapterSummary, DatasetSummary, EpochMetrics, FromWorker, ImageFolderSource, MethodSamplesSummary, ModelResult, RunPlanSummary, ToWorker, TorchModelPreview } from '../contract/protocol';
import type { NotKept } from './notKept.svelte';
import { StopWatchdog } from './stopWatchdog';
import { unhandledMessage } from '../contract/exhaustive';
import { Curves } from './curves.svelte';
import { ArchiveImport, Estimate } from './requests.svelte';

export type RunStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';
export type Progress = Extract<FromWorker, { type: 'progress' }>;

/** Messages that belong to a run. */
type RunMessage = Extract<FromWorker, { type: 'runStarted' | 'status' | 'stopping' | 'progress' | 'samples' | 'epoch' | 'learnerDone' | 'done' }>;

export class Trainer {
  backend = $state<BackendName | null>(null);
  adapter = $state.raw<AdapterSummary | null>(null);
  fallbackReason = $state<string | null>(null);
  /** Why the automatic choice took this backend; null when the backend was forced. */
  backendChoice = $state<string | null>(null);
  /** The wasm backend's threads, with why not more. */
  backendThreads = $state<string | null>(null);
  /** The automatic choice was measured on an earlier load and reused; `remeasureBackend` times it again. */
  backendRemembered = $state(false);
  status = $state<RunStatus>('loading');
  /** What the backend is busy with (starting, racing the candidates); see `activity`. */
  #backendActivity = $state('Starting the training worker\u2026');
  error = $state<string | null>(null);
  dataset = $state.raw<DatasetSummary | null>(null);
  datasetProgress = $state.raw<{ loadedBytes: number; totalBytes: number; file: string } | null>(null);
  /** An archive import in progress (its progress), and why the last one failed. */
  readonly archiveImport = new ArchiveImport();
  readonly estimate = new Estimate();
  plan = $state.raw<RunPlanSummary | null>(null);
  progress = $state.raw<Progress | null>(null);
  epochs = $state.raw<EpochMetrics[]>([]);
  results = $state.raw<ModelResult[]>([]);
  /** The latest images the method generated (data-free methods), with the teacher's labels. */
  samples = $state.raw<MethodSamplesSummary | null>(null);
  runSeconds = $state<number | null>(null);
  /** The config the current (or last) run started with: the form may have changed since. */
  runConfig = $state.raw<RunConfig | null>(null);
  /** The finished run's test images (what every result's `testLogits` row refers to), for the panels. */
  testImages = $state.raw<Extract<InspectionResult, { kind: 'testImages' }> | null>(null);
  readonly curves = new Curves();
  /** Something the page did on its own that the person should know (the worker was restarted). */
  notice = $state<string | null>(null);

  #worker!: Worker;
  /** What the current worker was asked to use, so a replacement can be set up the same way. */
  #backendAsked: BackendChoice | null = null;
  #datasetAsked = $state.raw<{ baseUrl: string; name: string } | null>(null);
  #runStartedAt = 0;
  readonly #watchdog = new StopWatchdog((graceMs) => this.#replaceUnansweringWorker(graceMs));
  #runId = 0;
  #requestId = 0;
  #datasetRequest = -1;
  /** Requests waiting for the worker's answer (inspections, model checks). */
  readonly #pending = new Map<number, { resolve: (result: InspectionResult | TorchModelPreview | null) => void; reject: (error: Error) => void }>();

  constructor(private readonly notKept: NotKept) {
    this.#spawn();
  }

  #spawn(): void {
    this.#worker = new Worker(new URL('../workers/training.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(event.data);
    this.#worker.onerror = (event) => {
      this.#fail(`The training worker crashed: ${event.message || 'unknown error'}`);
      this.#rejectPending('The training worker crashed.');
    };
  }

  #rejectPending(reason: string): void {
    for (const { reject } of this.#pending.values()) reject(new Error(reason));
    this.#pending.clear();
  }

  /**
   * Stop went unanswered for `graceMs`: the worker is stuck in synchronous code (a loss that never returns).
   * It is ended and a new one set up with the same backend and dataset; the run ends as stopped, so it is
   * saved and its last checkpoint (kept after each epoch) is offered for resuming.
   */
  #replaceUnansweringWorker(graceMs: number): void {
    if (!this.running) return;
    this.#worker.terminate();
    this.#rejectPending('The training worker was restarted.');
    this.#runId += 1; // anything still in flight from the old run is dropped
    this.notice = `The training worker did not answer Stop within ${Math.round(graceMs / 1000)} s (code that never returns, such as a loss that loops forever, does this), so it was shut down and a new one started. The run is saved as stopped; a resume continues from its last finished epoch.`;
    this.pausing = false;
    this.status = 'idle';
    this.runSeconds = (performance.now() - this.#runStartedAt) / 1000;
    this.#spawn();
    // A tick later, so the page sees the run end (idle: saved, the queue told) before the reload shows "loading".
    setTimeout(() => {
      this.backend = null;
      this.dataset = null;
      if (this.#backendAsked) this.init(this.#backendAsked);
      if (this.#datasetAsked) this.loadDataset(this.#datasetAsked.baseUrl, this.#datasetAsked.name);
    });
  }

  /**
   * What the page is busy with while `status` is `loading`: the dataset's download, then whatever the backend
   * still does (racing the backends can outlast the download).
   */
  get activity(): string {
    if (this.#datasetAsked && !this.dataset) return `Loading ${this.#datasetAsked.name}\u2026`;
    return this.#backendActivity;
  }

  get running(): boolean {
    return this.status === 'training' || this.status === 'paused';
  }

  init(backend: BackendChoice): void {
    this.#backendAsked = backend;
    this.status = 'loading';
    this.#backendActivity = backend === 'auto' ? 'Choosing the fastest backend here\u2026' : `Starting the ${backend} backend\u2026`;
    this.#send({ type: 'init', backend });
  }

  /** Races the candidate backends again (`auto` only), replacing the remembered choice. */
  remeasureBackend(): void {
    if (this.running || this.#backendAsked !== 'auto') return;
    this.status = 'loading';
    this.backendRemembered = false;
    this.#backendActivity = 'Measuring the backends again\u2026';
    this.#send({ type: 'init', backend: 'auto', remeasure: true });
  }

  loadDataset(baseUrl: string, name: string): void {
    this.#datasetAsked = { baseUrl, name };
    this.#datasetRequest = ++this.#requestId;
    this.dataset = null;
    this.estimate.value = null;
    this.status = 'loading';
    this.#send({ type: 'loadDataset', requestId: this.#datasetRequest, baseUrl, name });
  }

  /**
   * Sends the user's archive to the worker to parse. The current dataset stays until the archive has
   * parsed, so a broken file loses nothing; `onImported` gets the new dataset's name.
   */
  importDataset(file: File, onImported: (name: string) => void): void {
    if (this.running) return;
    const requestId = ++this.#requestId;
    this.archiveImport.started(requestId, onImported);
    this.#send({ type: 'importDataset', requestId, file });
  }

  /** Sends the user's image folder or zip to the worker to decode; like `importDataset`, nothing is lost if it fails. */
  importImages(source: ImageFolderSource, side: ImageFolderSide, onImported: (name: string) => void): void {
    if (this.running) return;
    const requestId = ++this.#requestId;
    this.archiveImport.started(requestId, onImported);
    this.#send({ type: 'importImages', requestId, source, side });
  }

  /** Asks for a measured duration estimate; `key` identifies the config it belongs to. */
  requestEstimate(config: RunConfig, key: string): void {
    if (!this.dataset || this.running) return;
    const requestId = ++this.#requestId;
    this.estimate.asked(requestId, key);
    this.#send({ type: 'estimate', requestId, config });
  }

  /** Starts a run; `resume` continues the unfinished run whose checkpoint the browser keeps (`config` is its config). */
  train(config: RunConfig, { resume = false }: { resume?: boolean } = {}): void {
    if (this.running || !this.dataset) return;
    this.#runId += 1;
    this.error = null;
    this.plan = null;
    this.progress = null;
    this.epochs = [];
    this.results = [];
    this.samples = null;
    this.testImages = null;
    this.runSeconds = null;
    this.runConfig = config;
    this.curves.clear();
    this.status = 'training';
    this.pausing = false;
    this.notice = null;
    this.#runStartedAt = performance.now();
    this.#watchdog.runStarted();
    try {
      this.#send({ type: 'train', runId: this.#runId, config, resume });
    } catch (error) {
      // A config the worker cannot receive (e.g. a reactive proxy) must not leave the page "training" forever.
      this.#fail(`Could not start the run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #testImagesRun = -1;
  /** Fetches the finished run's test images once, when a panel that shows them is on the page. */
  loadTestImages(): void {
    if (this.running || this.results.length === 0 || this.#testImagesRun === this.#runId) return;
    const runId = (this.#testImagesRun = this.#runId);
    this.inspect({ kind: 'testImages' }).then(
      (images) => runId === this.#runId && (this.testImages = images),
      () => (this.#testImagesRun = -1), // asked again next time
    );
  }

  /** Asks the worker about the last run's models (relevance, responses to x*, test images). */
  inspect: Inspect = (request) =>
    new Promise((resolve, reject) => {
      const requestId = ++this.#requestId;
      this.#pending.set(requestId, { resolve: resolve as (result: InspectionResult | TorchModelPreview | null) => void, reject });
      this.#send({ type: 'inspect', requestId, request });
    });

  /** Asks the worker whether a picked model file fits its architecture; rejects with the reason if not. */
  checkModel = (json: ModelJson, weights: ArrayBuffer, weightsFileName: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const requestId = ++this.#requestId;
      this.#pending.set(requestId, { resolve: () => resolve(), reject });
      this.#send({ type: 'checkModel', requestId, json, weights, weightsFileName });
    });

  /** Asks the worker to read a PyTorch file and match it to a zoo model; rejects with what is wrong with it. */
  readTorchModel = (file: File): Promise<TorchModelPreview> =>
    new Promise((resolve, reject) => {
      const requestId = ++this.#requestId;
      this.#pending.set(requestId, { resolve: resolve as (result: InspectionResult | TorchModelPreview | null) => void, reject });
      this.#send({ type: 'readTorchModel', requestId, file });
    });

  /** Pause was pressed and the loop has not halted yet (it finishes the batch in flight first). */
  pausing = $state(false);

  pause = () => {
    if (this.status !== 'training') return;
    this.pausing = true;
    this.#control('pause');
  };
  resume = () => this.#control('resume');
  step = () => this.#control('step');
  stop = () => {
    if (!this.running) return;
    this.#control('stop');
    this.#watchdog.stopRequested();
  };

  dispose(): void {
    this.#watchdog.answered();
    this.#worker.terminate();
  }

  #control(type: 'pause' | 'resume' | 'step' | 'stop'): void {
    if (this.running) this.#send({ type, runId: this.#runId });
  }

  #send(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #fail(message: string): void {
    this.#watchdog.answered();
    this.error = message;
    this.status = 'error';
    this.pausing = false;
  }

  #receive(message: FromWorker): void {
    // Messages from a run or request the page has moved on from are dropped.
    if ('runId' in message && message.runId !== null && message.runId !== this.#runId) return;
    switch (message.type) {
      case 'ready':
        this.backend = message.backend;
        this.adapter = message.adapter;
        this.fallbackReason = message.fallbackReason;
        this.backendChoice = message.choice;
        this.backendThreads = message.threads;
        this.backendRemembered = message.remembered;
        if (this.status === 'loading' && this.dataset) this.status = 'idle';
        return;
      case 'datasetProgress':
        if (message.requestId === this.#datasetRequest) this.datasetProgress = message;
        if (this.archiveImport.isFor(message.requestId)) this.archiveImport.progress = message;
        return;
      case 'datasetReady':
        return this.#datasetReady(message);
      case 'estimate':
        return this.estimate.answered(message.requestId, message.seconds);
      case 'notKept':
        return this.notKept.add(message);
      case 'inspection':
        return this.#settle(message.requestId, message.result);
      case 'modelChecked':
        return this.#settle(message.requestId, null);
      case 'torchModelRead':
        return this.#settle(message.requestId, message.preview);
      case 'error':
        return this.#error(message);
      case 'runStarted':
      case 'status':
      case 'stopping':
      case 'progress':
      case 'samples':
      case 'epoch':
      case 'learnerDone':
      case 'done':
        return this.#runMessage(message);
      default:
        unhandledMessage(message, 'page, from the training worker');
    }
  }

  #datasetReady({ requestId, summary, importNotes }: Extract<FromWorker, { type: 'datasetReady' }>): void {
    if (this.archiveImport.isFor(requestId)) {
      this.#datasetRequest = requestId; // the imported dataset is now the loaded one
      if (this.#datasetAsked) this.#datasetAsked = { ...this.#datasetAsked, name: summary.name };
      this.archiveImport.finished(summary.name, importNotes);
    }
    if (requestId !== this.#datasetRequest) return;
    this.dataset = summary;
    this.datasetProgress = null;
    this.status = this.backend ? 'idle' : 'loading';
  }

  #runMessage(message: RunMessage): void {
    switch (message.type) {
      case 'runStarted':
        this.plan = message.plan;
        return;
      case 'status':
        this.status = message.status;
        this.pausing = false;
        return;
      case 'stopping':
        this.#watchdog.answered();
        return;
      case 'progress':
        if (message.stepSeconds !== undefined) this.#watchdog.stepTook(message.stepSeconds);
        this.progress = message;
        this.curves.add(message.losses);
        return;
      case 'epoch':
        this.epochs = [...this.epochs, message.metrics];
        return;
      case 'samples':
        this.samples = message.samples;
        return;
      case 'learnerDone':
        this.results = [...this.results, message.result];
        return;
      case 'done':
        this.#watchdog.answered();
        this.pausing = false;
        this.results = [...message.results];
        this.runSeconds = message.seconds;
        this.status = message.stopped ? 'idle' : 'done';
        return;
      default:
        unhandledMessage(message, 'page, from a training run');
    }
  }

  /** An inspection's or a model check's answer goes to the request waiting for it. */
  #settle(requestId: number, result: InspectionResult | TorchModelPreview | null): void {
    this.#pending.get(requestId)?.resolve(result);
    this.#pending.delete(requestId);
  }

  #error({ requestId, message }: Extract<FromWorker, { type: 'error' }>): void {
    if (this.archiveImport.isFor(requestId)) return this.archiveImport.failed(message); // the dataset in use stays as it was
    if (requestId !== null && this.#pending.has(requestId)) {
      this.#pending.get(requestId)!.reject(new Error(message));
      this.#pending.delete(requestId);
      return; // a failed inspection is the asking panel's to show
    }
    if (requestId !== null && this.estimate.isFor(requestId)) {
      this.estimate.failed();
      this.error = message;
      return; // an estimate failing leaves the page as it was
    }
    if (requestId === this.#datasetRequest) this.dataset = null;
    this.#fail(message);
  }
}
