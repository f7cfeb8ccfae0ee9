/**
 * The page's one handle on the training worker: it owns the Worker, sends typed commands and keeps the
 * reactive state the components render. Components never see the worker or tfjs.
 */
import type { BackendName, RunConfig } from '../config/runConfig';
import type { ModelJson } from '../models/modelFile';
import type { Inspect, InspectionResult } from '../workers/inspection';
import type { AdapterSummary, DatasetSummary, EpochMetrics, FromWorker, MethodSamplesSummary, ModelResult, RunPlanSummary, ToWorker, TorchModelPreview } from '../workers/protocol';
import type { NotKept } from './notKept.svelte';
import { StopWatchdog } from './stopWatchdog';

export type RunStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';
export type Progress = Extract<FromWorker, { type: 'progress' }>;

/** Points by series name (x = training images seen). Grows in place; `curvesVersion` signals a change. */
export type PointSeries = Record<string, { x: number[]; y: number[] }>;

function appendPoint(series: PointSeries, key: string, x: number, y: number): void {
  const points = (series[key] ??= { x: [], y: [] });
  points.x.push(x);
  points.y.push(y);
}

export class Trainer {
  backend = $state<BackendName | null>(null);
  adapter = $state.raw<AdapterSummary | null>(null);
  fallbackReason = $state<string | null>(null);
  status = $state<RunStatus>('loading');
  /** What the page is busy with while `status` is `loading`. */
  activity = $state('Starting the training worker\u2026');
  error = $state<string | null>(null);
  dataset = $state.raw<DatasetSummary | null>(null);
  datasetProgress = $state.raw<{ loadedBytes: number; totalBytes: number; file: string } | null>(null);
  /** An archive import in progress (its progress), and why the last one failed. */
  importProgress = $state.raw<{ loadedBytes: number; totalBytes: number; file: string } | null>(null);
  importing = $state(false);
  importError = $state<string | null>(null);
  estimate = $state.raw<{ seconds: number; key: string } | null>(null);
  estimating = $state(false);
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
  readonly lossSeries: PointSeries = {};
  /** Per-batch diagnostics of the distilled student's method (e.g. teacher weights), by name. */
  readonly diagnosticSeries: PointSeries = {};
  curvesVersion = $state(0);
  /** Something the page did on its own that the person should know (the worker was restarted). */
  notice = $state<string | null>(null);

  #worker!: Worker;
  /** What the current worker was asked to use, so a replacement can be set up the same way. */
  #backendAsked: BackendName | null = null;
  #datasetAsked: { baseUrl: string; name: string } | null = null;
  #runStartedAt = 0;
  readonly #watchdog = new StopWatchdog((graceMs) => this.#replaceUnansweringWorker(graceMs));
  #runId = 0;
  #requestId = 0;
  #estimateRequest = { id: -1, key: '' };
  #datasetRequest = -1;
  #importRequest = -1;
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

  get running(): boolean {
    return this.status === 'training' || this.status === 'paused';
  }

  init(backend: BackendName): void {
    this.#backendAsked = backend;
    this.status = 'loading';
    this.activity = `Starting the ${backend} backend\u2026`;
    this.#send({ type: 'init', backend });
  }

  loadDataset(baseUrl: string, name: string): void {
    this.#datasetAsked = { baseUrl, name };
    this.#datasetRequest = ++this.#requestId;
    this.dataset = null;
    this.estimate = null;
    this.status = 'loading';
    this.activity = `Loading ${name}\u2026`;
    this.#send({ type: 'loadDataset', requestId: this.#datasetRequest, baseUrl, name });
  }

  /**
   * Sends the user's archive to the worker to parse. The current dataset stays until the archive has
   * parsed, so a broken file loses nothing; `onImported` gets the new dataset's name.
   */
  importDataset(file: File, onImported: (name: string) => void): void {
    if (this.running) return;
    this.#importRequest = ++this.#requestId;
    this.#onImported = onImported;
    this.importing = true;
    this.importError = null;
    this.importProgress = null;
    this.#send({ type: 'importDataset', requestId: this.#importRequest, file });
  }

  #onImported: (name: string) => void = () => {};

  /** Asks for a measured duration estimate; `key` identifies the config it belongs to. */
  requestEstimate(config: RunConfig, key: string): void {
    if (!this.dataset || this.running) return;
    this.#estimateRequest = { id: ++this.#requestId, key };
    this.estimating = true;
    this.#send({ type: 'estimate', requestId: this.#estimateRequest.id, config });
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
    for (const series of [this.lossSeries, this.diagnosticSeries]) for (const key of Object.keys(series)) delete series[key];
    this.curvesVersion++;
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
        if (this.status === 'loading' && this.dataset) this.status = 'idle';
        return;
      case 'datasetProgress':
        if (message.requestId === this.#datasetRequest) this.datasetProgress = message;
        if (message.requestId === this.#importRequest) this.importProgress = message;
        return;
      case 'datasetReady':
        if (message.requestId === this.#importRequest) {
          this.importing = false;
          this.importProgress = null;
          this.#datasetRequest = message.requestId; // the imported dataset is now the loaded one
          if (this.#datasetAsked) this.#datasetAsked = { ...this.#datasetAsked, name: message.summary.name };
          this.#onImported(message.summary.name);
        }
        if (message.requestId !== this.#datasetRequest) return;
        this.dataset = message.summary;
        this.datasetProgress = null;
        this.status = this.backend ? 'idle' : 'loading';
        return;
      case 'estimate':
        if (message.requestId !== this.#estimateRequest.id) return;
        this.estimating = false;
        this.estimate = { seconds: message.seconds, key: this.#estimateRequest.key };
        return;
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
      case 'notKept':
        this.notKept.add(message);
        return;
      case 'progress':
        if (message.stepSeconds !== undefined) this.#watchdog.stepTook(message.stepSeconds);
        this.progress = message;
        for (const [key, { loss, imagesSeen, diagnostics }] of Object.entries(message.losses)) {
          appendPoint(this.lossSeries, key, imagesSeen, loss);
          for (const [name, value] of Object.entries(diagnostics)) appendPoint(this.diagnosticSeries, name, imagesSeen, value);
        }
        this.curvesVersion++;
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
      case 'inspection':
        this.#pending.get(message.requestId)?.resolve(message.result);
        this.#pending.delete(message.requestId);
        return;
      case 'modelChecked':
        this.#pending.get(message.requestId)?.resolve(null);
        this.#pending.delete(message.requestId);
        return;
      case 'torchModelRead':
        this.#pending.get(message.requestId)?.resolve(message.preview);
        this.#pending.delete(message.requestId);
        return;
      case 'error':
        if (message.requestId !== null && message.requestId === this.#importRequest) {
          this.importing = false;
          this.importProgress = null;
          this.importError = message.message;
          return; // the dataset in use stays as it was
        }
        if (message.requestId !== null && this.#pending.has(message.requestId)) {
          this.#pending.get(message.requestId)!.reject(new Error(message.message));
          this.#pending.delete(message.requestId);
          return; // a failed inspection is the asking panel's to show
        }
        if (message.requestId !== null && message.requestId === this.#estimateRequest.id) {
          this.estimating = false;
          this.error = message.message;
          return; // an estimate failing leaves the page as it was
        }
        if (message.requestId === this.#datasetRequest) this.dataset = null;
        this.#fail(message.message);
        return;
    }
  }
}
