/**
 * One t-SNE job of the analysis worker, as a pure async function so Node tests can run it without a worker.
 * Preprocessing and scores follow the oracle paper's notebook (TSNE_and_Shil.ipynb): raw logits min-max
 * normalised globally to [0, 1], t-SNE to 2-D, then each axis of the embedding min-max normalised before
 * the silhouette. The run advances in chunks of roughly `chunkMs` and yields to the event loop between
 * them, so a 'cancel' message is seen within one chunk and frames can be posted while it runs.
 */
import { silhouetteScore, trustworthiness } from '../core/clusterQuality';
import { minMaxNormalise } from '../core/normalise';
import { createTsne } from '../core/tsne';
import { TRUSTWORTHINESS_K, TRUSTWORTHINESS_MAX_POINTS, type TsneDone, type TsneFrame, type TsneRequest } from '../contract/analysisProtocol';

export interface TsneJobTiming {
  /** Least time between two frames. Default 100 ms. */
  readonly frameIntervalMs?: number;
  /** Target duration of one uninterrupted chunk of iterations. Default 25 ms. */
  readonly chunkMs?: number;
  readonly now?: () => number;
  readonly yieldToEventLoop?: () => Promise<void>;
}

/** Most iterations a job may ask for: far past what the panel offers, but bounds a malformed request. */
const MAX_ITERATIONS = 100_000;

const check = (ok: boolean, message: string) => {
  if (!ok) throw new RangeError(message);
};

/** Validates a request and returns its number of points N; throws a RangeError that says what is wrong. */
export function checkTsneRequest(request: TsneRequest): number {
  const { points, dim, labels, options } = request;
  check(Number.isInteger(dim) && dim >= 1, `dim must be a positive whole number, got ${dim}`);
  check(points.length % dim === 0, `${points.length} values are not whole points of dimension ${dim}`);
  const n = points.length / dim;
  check(n >= 2, `t-SNE needs at least 2 points, got ${n}`);
  check(labels.length === n, `${n} points but ${labels.length} labels`);
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) {
      throw new RangeError(`point ${Math.floor(i / dim)} has a non-finite value (${points[i]}) at coordinate ${i % dim}`);
    }
  }
  const { perplexity, iterations, earlyExaggeration, seed } = options;
  check(Number.isFinite(perplexity) && perplexity > 0, `perplexity must be a positive number, got ${perplexity}`);
  check(Number.isInteger(iterations) && iterations >= 1 && iterations <= MAX_ITERATIONS, `iterations must be a whole number from 1 to ${MAX_ITERATIONS}, got ${iterations}`);
  check(Number.isFinite(earlyExaggeration) && earlyExaggeration > 0, `early exaggeration must be a positive number, got ${earlyExaggeration}`);
  check(Number.isInteger(seed), `seed must be a whole number, got ${seed}`);
  return n;
}

/** A macrotask boundary: lets the worker handle queued messages (e.g. 'cancel') before the next chunk. */
export function yieldToEventLoop(): Promise<void> {
  // A message to a fresh channel is a macrotask without setTimeout's 4 ms clamp on nested timers.
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Mean silhouette on the per-axis normalised embedding; null where the labels make no valid clustering. */
function embeddingSilhouette(embedding: Float32Array, labels: ArrayLike<number>): number | null {
  const n = labels.length;
  const clusters = new Set<number>();
  for (let i = 0; i < n; i++) clusters.add(labels[i]!);
  if (clusters.size < 2 || clusters.size > n - 1) return null;
  return silhouetteScore({ data: minMaxNormalise(embedding, 2), cols: 2 }, labels);
}

/**
 * Runs the job to the end, calling `postFrame` with a fresh copy of the layout at most every
 * `frameIntervalMs`. Resolves to the 'done' message, or null once `isCancelled()` turns true (checked
 * between chunks and before the scores). Throws a RangeError on an invalid request.
 */
export async function runTsneJob(
  request: TsneRequest,
  postFrame: (frame: TsneFrame) => void,
  isCancelled: () => boolean,
  timing: TsneJobTiming = {},
): Promise<TsneDone | null> {
  const { frameIntervalMs = 100, chunkMs = 25, now = () => performance.now(), yieldToEventLoop: pause = yieldToEventLoop } = timing;
  const start = now();
  const n = checkTsneRequest(request);
  const { jobId, dim, labels, options } = request;
  const inputs = minMaxNormalise(request.points);
  // Let a cancel that arrived with the request land before the affinities, the one step that cannot be split.
  await pause();
  if (isCancelled()) return null;

  const run = createTsne(inputs, dim, {
    perplexity: options.perplexity,
    iterations: options.iterations,
    earlyExaggeration: options.earlyExaggeration,
    seed: options.seed,
  });
  let chunk = 1;
  let lastFrame = now();
  while (!run.done) {
    await pause();
    if (isCancelled()) return null;
    const chunkStart = now();
    run.step(chunk);
    const elapsed = now() - chunkStart;
    // Aim the next chunk at `chunkMs`, at most doubling, so one slow timing cannot make a huge chunk.
    chunk = Math.max(1, Math.min(2 * chunk, Math.round((chunk * chunkMs) / Math.max(elapsed, 1e-3))));
    if (!run.done && now() - lastFrame >= frameIntervalMs) {
      lastFrame = now();
      postFrame({ type: 'frame', jobId, iteration: run.iteration, iterations: run.iterations, embedding: run.embedding.slice() });
    }
  }

  await pause();
  if (isCancelled()) return null;
  const embedding = run.embedding.slice();
  const silhouette = embeddingSilhouette(embedding, labels);
  const trustworthy = n <= TRUSTWORTHINESS_MAX_POINTS && TRUSTWORTHINESS_K < n / 2;
  const trust = trustworthy ? trustworthiness({ data: inputs, cols: dim }, { data: embedding, cols: 2 }, TRUSTWORTHINESS_K) : null;
  return { type: 'done', jobId, embedding, silhouette, trustworthiness: trust, seconds: (now() - start) / 1000 };
}
