/**
 * The page's handle on the analysis worker, which runs t-SNE off the main thread. `AnalysisWorker` owns
 * the Worker (started on first use) and routes its messages to the job they belong to; `TsneAnalysis` is
 * one embedding in progress, with the reactive state a panel renders. Embeddings shown together share one
 * AnalysisWorker: their jobs interleave on one core, leaving the others to the page and the training worker.
 */
import type { FromAnalysisWorker, ToAnalysisWorker, TsneRequest } from '../contract/analysisProtocol';
import { unhandledMessage } from '../contract/exhaustive';

export type TsneStatus = 'idle' | 'running' | 'done' | 'error';

/** The real analysis worker; Vite bundles it from this exact `new Worker(new URL(...))` form. */
export function startAnalysisWorker(): Worker {
  return new Worker(new URL('../workers/analysis.worker.ts', import.meta.url), { type: 'module' });
}

interface JobListener {
  /** Every message of the job, up to and including its 'done' or 'error'. */
  readonly receive: (message: FromAnalysisWorker) => void;
  /** The worker died with the job in flight. */
  readonly crash: (message: string) => void;
}

export class AnalysisWorker {
  readonly #startWorker: () => Worker;
  #worker: Worker | null = null;
  #lastJobId = 0;
  readonly #jobs = new Map<number, JobListener>();

  /** `startWorker` is injectable for tests. */
  constructor(startWorker: () => Worker = startAnalysisWorker) {
    this.#startWorker = startWorker;
  }

  /** Starts a t-SNE job and returns its id; `listener` hears of it until it ends or is cancelled. */
  startTsne(request: Omit<TsneRequest, 'type' | 'jobId'>, listener: JobListener): number {
    const jobId = ++this.#lastJobId;
    this.#jobs.set(jobId, listener);
    this.#send({ type: 'tsne', jobId, ...request });
    return jobId;
  }

  /** Stops a job; nothing more is heard of it, even what the worker had already sent. */
  cancel(jobId: number): void {
    if (this.#jobs.delete(jobId)) this.#send({ type: 'cancel', jobId });
  }

  dispose(): void {
    this.#jobs.clear();
    this.#worker?.terminate();
    this.#worker = null;
  }

  #send(message: ToAnalysisWorker): void {
    if (!this.#worker) {
      const worker = this.#startWorker();
      worker.onmessage = (event: MessageEvent<FromAnalysisWorker>) => this.#receive(event.data);
      worker.onerror = (event) => this.#crash(`The analysis worker crashed: ${event.message || 'unknown error'}`);
      worker.onmessageerror = () => this.#crash('The analysis worker sent a message that could not be read');
      this.#worker = worker;
    }
    // Structured clone copies the points and labels: the caller keeps its arrays intact.
    this.#worker.postMessage(message);
  }

  #receive(message: FromAnalysisWorker): void {
    const listener = this.#jobs.get(message.jobId);
    if (!listener) return; // a job cancelled since
    if (message.type !== 'frame') this.#jobs.delete(message.jobId);
    listener.receive(message);
  }

  /** A dead worker cannot be trusted with the next job: fail the jobs in flight and start afresh next time. */
  #crash(message: string): void {
    const listeners = [...this.#jobs.values()];
    this.dispose();
    for (const listener of listeners) listener.crash(message);
  }
}

export class TsneAnalysis {
  status = $state<TsneStatus>('idle');
  /** Iterations done by the latest job, out of `iterations`. */
  iteration = $state(0);
  iterations = $state(0);
  /** Latest (x, y) layout of the points, raw t-SNE coordinates: intermediate while running, final when done. */
  embedding = $state.raw<Float32Array | null>(null);
  /** The labels the latest job ran with, aligned with `embedding` even if the caller's data has moved on. */
  labels = $state.raw<Int32Array | null>(null);
  silhouette = $state<number | null>(null);
  trustworthiness = $state<number | null>(null);
  seconds = $state<number | null>(null);
  error = $state<string | null>(null);

  readonly #worker: AnalysisWorker;
  readonly #ownsWorker: boolean;
  #jobId: number | null = null;
  /** The inputs of the latest job, by identity, so a panel can tell when its data changed under it. */
  #source: { points: Float32Array; labels: ArrayLike<number> } | null = null;

  /** Pass the AnalysisWorker to share with other embeddings; without one, it starts (and disposes) its own. */
  constructor(worker?: AnalysisWorker) {
    this.#worker = worker ?? new AnalysisWorker();
    this.#ownsWorker = !worker;
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** True when the latest job ran on exactly these arrays. */
  ranOn(points: Float32Array, labels: ArrayLike<number>): boolean {
    return this.#source !== null && this.#source.points === points && this.#source.labels === labels;
  }

  /** Starts t-SNE of N = points.length / dim raw logits with their labels, cancelling any job in flight. */
  run(points: Float32Array, dim: number, labels: ArrayLike<number>, options: TsneRequest['options']): void {
    this.cancel();
    const jobLabels = Int32Array.from(labels);
    this.#source = { points, labels };
    this.status = 'running';
    this.iteration = 0;
    this.iterations = options.iterations;
    this.embedding = null;
    this.labels = jobLabels;
    this.silhouette = null;
    this.trustworthiness = null;
    this.seconds = null;
    this.error = null;
    this.#jobId = this.#worker.startTsne(
      { points, dim, labels: jobLabels, options: { ...options } },
      { receive: (message) => this.#receive(message), crash: (message) => this.#fail(message) },
    );
  }

  /** Stops the running job, keeping its last frame on show. */
  cancel(): void {
    if (this.#jobId !== null) this.#worker.cancel(this.#jobId);
    this.#jobId = null;
    if (this.status === 'running') this.status = 'idle';
  }

  /** Cancels and forgets the latest job, e.g. when the data it embedded has changed. */
  reset(): void {
    this.cancel();
    this.#source = null;
    this.status = 'idle';
    this.iteration = 0;
    this.iterations = 0;
    this.embedding = null;
    this.labels = null;
    this.silhouette = null;
    this.trustworthiness = null;
    this.seconds = null;
    this.error = null;
  }

  dispose(): void {
    this.cancel();
    if (this.#ownsWorker) this.#worker.dispose();
  }

  #fail(message: string): void {
    this.#jobId = null;
    this.error = message;
    this.status = 'error';
  }

  #receive(message: FromAnalysisWorker): void {
    switch (message.type) {
      case 'frame':
        this.iteration = message.iteration;
        this.iterations = message.iterations;
        this.embedding = message.embedding;
        return;
      case 'done':
        this.#jobId = null;
        this.iteration = this.iterations;
        this.embedding = message.embedding;
        this.silhouette = message.silhouette;
        this.trustworthiness = message.trustworthiness;
        this.seconds = message.seconds;
        this.status = 'done';
        return;
      case 'error':
        this.#fail(message.message);
        return;
      default:
        unhandledMessage(message, 'page, from the analysis worker');
    }
  }
}
