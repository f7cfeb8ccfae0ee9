import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysisWorker, TsneAnalysis } from '../../src/client/analysis.svelte';
import { keyedRng } from '../../src/core/random';
import type { FromAnalysisWorker, ToAnalysisWorker, TsneFrame, TsneRequest } from '../../src/contract/analysisProtocol';
import { runTsneJob } from '../../src/workers/tsneJob';

/** Three well-separated Gaussian blobs of logit-like vectors: class c is high on coordinate c. */
function blobs(count: number, dim: number, seed: number): { points: Float32Array; labels: Int32Array } {
  const rng = keyedRng(seed, 'tsne-blobs');
  const points = new Float32Array(count * dim);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    for (let c = 0; c < dim; c++) points[i * dim + c] = (c === labels[i] ? 8 : 0) + 0.5 * rng.normal();
  }
  return { points, labels };
}

const DIM = 10;
const data = blobs(150, DIM, 1);
const options = { perplexity: 30, iterations: 300, earlyExaggeration: 12, seed: 1 };
const request = (overrides: Partial<TsneRequest> = {}): TsneRequest => ({ type: 'tsne', jobId: 7, dim: DIM, ...data, options, ...overrides });

describe('runTsneJob', () => {
  it('posts frames as it goes and ends with a layout that separates well-separated blobs', async () => {
    const frames: TsneFrame[] = [];
    const done = await runTsneJob(request(), (frame) => frames.push(frame), () => false, { frameIntervalMs: 0 });

    expect(frames.length).toBeGreaterThan(2);
    const iterations = frames.map((f) => f.iteration);
    expect(iterations).toEqual([...iterations].sort((a, b) => a - b));
    expect(new Set(iterations).size).toBe(iterations.length);
    expect(frames.every((f) => f.jobId === 7 && f.iterations === 300 && f.embedding.length === 300)).toBe(true);
    // Each frame is its own copy, so transferring one leaves the run and the other frames intact.
    expect(frames[0]!.embedding.buffer).not.toBe(frames[1]!.embedding.buffer);

    expect(done).not.toBeNull();
    expect(done!.jobId).toBe(7);
    expect(done!.embedding).toHaveLength(300);
    expect(done!.embedding.every(Number.isFinite)).toBe(true);
    expect(done!.silhouette).toBeGreaterThan(0.7);
    expect(done!.trustworthiness).toBeGreaterThan(0.9);
    expect(done!.seconds).toBeGreaterThan(0);
  });

  it('throttles frames in time', async () => {
    const frames: TsneFrame[] = [];
    await runTsneJob(request(), (frame) => frames.push(frame), () => false, { frameIntervalMs: 60_000 });
    expect(frames).toEqual([]);
  });

  it('stops at the next chunk once cancelled, and posts nothing more', async () => {
    const frames: TsneFrame[] = [];
    const done = await runTsneJob(request(), (frame) => frames.push(frame), () => frames.length >= 2, { frameIntervalMs: 0 });
    expect(done).toBeNull();
    expect(frames).toHaveLength(2);
    expect(frames[1]!.iteration).toBeLessThan(300);
  });

  it('does not even compute affinities for a job cancelled before it started', async () => {
    const frames: TsneFrame[] = [];
    expect(await runTsneJob(request(), (frame) => frames.push(frame), () => true, { frameIntervalMs: 0 })).toBeNull();
    expect(frames).toEqual([]);
  });

  it('skips trustworthiness past 2000 points and the silhouette when there is one class', async () => {
    const n = 2001;
    const points = Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i * 1.7));
    const done = await runTsneJob(request({ points, dim: 2, labels: new Int32Array(n), options: { ...options, iterations: 1 } }), () => {}, () => false);
    expect(done).toMatchObject({ silhouette: null, trustworthiness: null });
  });

  it.each([
    ['a zero dimension', { dim: 0 }, /dim must be a positive whole number, got 0/],
    ['a ragged point count', { dim: 7 }, /1500 values are not whole points of dimension 7/],
    ['a label count that does not match', { labels: data.labels.subarray(1) }, /150 points but 149 labels/],
    ['a NaN input', { points: data.points.map((v, i) => (i === 7 * DIM + 3 ? Number.NaN : v)) }, /point 7 has a non-finite value \(NaN\) at coordinate 3/],
    ['a bad perplexity', { options: { ...options, perplexity: Number.NaN } }, /perplexity must be a positive number/],
    ['fractional iterations', { options: { ...options, iterations: 2.5 } }, /iterations must be a whole number/],
  ])('rejects %s with a clear message', async (_, overrides, message) => {
    await expect(runTsneJob(request(overrides), () => {}, () => false)).rejects.toThrow(message);
  });
});

// The real worker module, run in-process: `self` is stubbed with a scope whose posts reach the current client.
type Listener<T> = ((event: MessageEvent<T>) => void) | null;
let connected: InProcessWorker | null = null;
const scope: { onmessage: Listener<ToAnalysisWorker>; postMessage: (message: FromAnalysisWorker) => void } = {
  onmessage: null,
  postMessage: (message) => setTimeout(() => connected?.receive(message)),
};
vi.stubGlobal('self', scope);
await import('../../src/workers/analysis.worker');
vi.unstubAllGlobals();

/** Stands in for `Worker`: forwards to the worker module through `scope`, with structured cloning. */
class InProcessWorker {
  onmessage: Listener<FromAnalysisWorker> = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  readonly sent: ToAnalysisWorker[] = [];
  terminated = false;

  constructor() {
    connected = this;
  }
  postMessage(message: ToAnalysisWorker): void {
    this.sent.push(message);
    const copy = structuredClone(message);
    setTimeout(() => !this.terminated && scope.onmessage?.({ data: copy } as MessageEvent<ToAnalysisWorker>));
  }
  receive(message: FromAnalysisWorker): void {
    if (!this.terminated) this.onmessage?.({ data: message } as MessageEvent<FromAnalysisWorker>);
  }
  terminate(): void {
    this.terminated = true;
  }
}

async function settled(analysis: TsneAnalysis, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (analysis.running) {
    if (Date.now() - start > timeoutMs) throw new Error('t-SNE job did not finish');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('TsneAnalysis with the analysis worker', () => {
  const workers: AnalysisWorker[] = [];
  const inProcess = () => {
    const worker = new AnalysisWorker(() => new InProcessWorker() as unknown as Worker);
    workers.push(worker);
    return worker;
  };
  const client = () => new TsneAnalysis(inProcess());
  afterEach(() => workers.splice(0).forEach((w) => w.dispose()));

  it('starts its worker lazily and reports the finished embedding and scores', async () => {
    connected = null;
    const analysis = client();
    expect(connected).toBeNull();
    analysis.run(data.points, DIM, data.labels, options);
    expect(analysis.status).toBe('running');
    await settled(analysis);
    expect(analysis.status).toBe('done');
    expect(analysis.iteration).toBe(300);
    expect(analysis.embedding).toHaveLength(300);
    expect([...analysis.labels!]).toEqual([...data.labels]);
    expect(analysis.silhouette).toBeGreaterThan(0.7);
    expect(analysis.seconds).toBeGreaterThan(0);
    expect(analysis.ranOn(data.points, data.labels)).toBe(true);
  });

  it('cancels the job in flight when a new one starts, and shows only the new one', async () => {
    const analysis = client();
    analysis.run(data.points, DIM, data.labels, options);
    analysis.run(data.points, DIM, data.labels, { ...options, iterations: 250 });
    await settled(analysis);
    expect(connected!.sent.map((m) => m.type)).toEqual(['tsne', 'cancel', 'tsne']);
    expect(analysis.status).toBe('done');
    expect(analysis.iterations).toBe(250);
  });

  it('stops on cancel and ignores anything the worker still sends for that job', async () => {
    const analysis = client();
    analysis.run(data.points, DIM, data.labels, options);
    analysis.cancel();
    expect(analysis.status).toBe('idle');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(analysis.status).toBe('idle');
    expect(analysis.silhouette).toBeNull();
  });

  it('reports a bad request as an error, and a reset forgets it', async () => {
    const analysis = client();
    analysis.run(data.points, 0, data.labels, options);
    await settled(analysis);
    expect(analysis.status).toBe('error');
    expect(analysis.error).toMatch(/dim must be a positive whole number/);
    analysis.reset();
    expect(analysis.error).toBeNull();
    expect(analysis.ranOn(data.points, data.labels)).toBe(false);
  });

  it('lets two embeddings share one worker, each hearing only its own job', async () => {
    connected = null;
    let started = 0;
    const shared = new AnalysisWorker(() => (started++, new InProcessWorker() as unknown as Worker));
    workers.push(shared);
    const [first, second] = [new TsneAnalysis(shared), new TsneAnalysis(shared)];
    const shuffled = Int32Array.from(data.labels, (_, i) => Math.floor(i / 50)); // each label spans all three blobs
    first.run(data.points, DIM, data.labels, options);
    second.run(data.points, DIM, shuffled, { ...options, iterations: 250 });
    await Promise.all([settled(first), settled(second)]);
    expect(started).toBe(1);
    expect([first.status, second.status]).toEqual(['done', 'done']);
    expect([first.iterations, second.iterations]).toEqual([300, 250]);
    expect(first.silhouette).toBeGreaterThan(0.7);
    expect(Math.abs(second.silhouette!)).toBeLessThan(0.2);
    second.dispose(); // a shared worker outlives the embeddings that use it
    expect(connected!.terminated).toBe(false);
  });

  it('cancels its job on dispose; disposing the AnalysisWorker terminates the worker', () => {
    const worker = inProcess();
    const analysis = new TsneAnalysis(worker);
    analysis.run(data.points, DIM, data.labels, options);
    analysis.dispose();
    expect(connected!.sent.map((m) => m.type)).toEqual(['tsne', 'cancel']);
    worker.dispose();
    expect(connected!.terminated).toBe(true);
  });

  it('fails the jobs in flight when the worker crashes, and starts a fresh worker for the next', async () => {
    const analysis = client();
    analysis.run(data.points, DIM, data.labels, options);
    const crashed = connected!;
    crashed.onerror?.({ message: 'out of memory' } as ErrorEvent);
    expect(analysis.status).toBe('error');
    expect(analysis.error).toMatch(/crashed: out of memory/);
    expect(crashed.terminated).toBe(true);
    analysis.run(data.points, DIM, data.labels, options);
    expect(connected).not.toBe(crashed);
    await settled(analysis);
    expect(analysis.status).toBe('done');
  });
});
