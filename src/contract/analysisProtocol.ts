/**
 * Messages between the page and the analysis worker, which runs t-SNE off the main thread (the training
 * worker stays busy training). Both sides import these unions and switch on `type`. Every message carries
 * the `jobId` it belongs to, so the page drops frames of a job it has already cancelled or replaced.
 * Only plain data crosses: numbers, strings and typed arrays.
 */

/** The t-SNE settings the panel exposes; the rest are scikit-learn's defaults (see src/core/tsne.ts). */
export interface TsneJobOptions {
  readonly perplexity: number;
  readonly iterations: number;
  readonly earlyExaggeration: number;
  readonly seed: number;
}

export interface TsneRequest {
  readonly type: 'tsne';
  readonly jobId: number;
  /** N × dim raw logits (no softmax), row-major; the worker min-max normalises them to [0, 1] globally. */
  readonly points: Float32Array;
  readonly dim: number;
  /** N class indices: colour the points and define the silhouette's clusters. */
  readonly labels: Int32Array | Uint8Array;
  readonly options: TsneJobOptions;
}

export type ToAnalysisWorker = TsneRequest | { readonly type: 'cancel'; readonly jobId: number };

/** An intermediate layout, posted at most every ~100 ms while the job runs. */
export interface TsneFrame {
  readonly type: 'frame';
  readonly jobId: number;
  /** Iterations completed so far, out of `iterations`. */
  readonly iteration: number;
  readonly iterations: number;
  /** (x, y) per point, raw t-SNE coordinates: a copy whose buffer is transferred. */
  readonly embedding: Float32Array<ArrayBuffer>;
}

export interface TsneDone {
  readonly type: 'done';
  readonly jobId: number;
  /** Final (x, y) per point, raw t-SNE coordinates; its buffer is transferred. */
  readonly embedding: Float32Array<ArrayBuffer>;
  /**
   * Mean silhouette of the labels on the embedding with each axis min-max normalised (as the oracle paper's
   * notebook does); null when the labels do not make 2 to N − 1 clusters, where a silhouette is undefined.
   */
  readonly silhouette: number | null;
  /** Trustworthiness (k = 5) of the embedding against the normalised inputs; null past `TRUSTWORTHINESS_MAX_POINTS` (it is O(N²)). */
  readonly trustworthiness: number | null;
  /** Wall-clock seconds for the whole job, affinities and scores included. */
  readonly seconds: number;
}

export type FromAnalysisWorker = TsneFrame | TsneDone | { readonly type: 'error'; readonly jobId: number; readonly message: string };

/** Neighbourhood size of the reported trustworthiness. */
export const TRUSTWORTHINESS_K = 5;
/** Largest N for which the worker computes trustworthiness: O(N²·D), about a second at N = 2000. */
export const TRUSTWORTHINESS_MAX_POINTS = 2000;
