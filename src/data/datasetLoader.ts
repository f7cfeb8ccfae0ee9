/**
 * Fetches a dataset that `npm run setup` installed under `public/datasets/` and decodes it.
 *
 * Runs inside the training worker, so it uses only fetch, crypto.subtle and the Streams API: no DOM.
 * Shards are fetched one after another with byte-level progress, checked against the manifest's SHA-256
 * (a stale or half-copied shard would otherwise train silently on wrong pixels), and decoded straight into
 * one preallocated buffer per split.
 */
import {
  createLabeledImages,
  DatasetFormatError,
  decodeCifarInto,
  type CifarFormat,
  type LabeledImages,
} from './cifarBinary';
import {
  parseDatasetIndex,
  parseManifest,
  splitBytes,
  type DatasetIndexEntry,
  type DatasetManifest,
  type ShardInfo,
  type SplitInfo,
} from '../contract/datasetManifest';

export interface LoadProgress {
  /** Bytes received so far, over every shard of both splits. */
  readonly loadedBytes: number;
  /** Bytes of every shard of both splits, from the manifest. */
  readonly totalBytes: number;
  /** The shard being received. */
  readonly file: string;
}

export interface LoadOptions {
  /** Called for every received chunk; a caller posting to the UI throttles it. */
  readonly onProgress?: (progress: LoadProgress) => void;
  readonly signal?: AbortSignal;
  /** Check each shard's SHA-256 against the manifest (default true). */
  readonly verify?: boolean;
}

export interface LoadedDataset {
  readonly manifest: DatasetManifest;
  readonly train: LabeledImages;
  readonly test: LabeledImages;
}

/** The data could not be fetched, or is not the data the manifest describes. */
export class DatasetLoadError extends Error {
  override readonly name = 'DatasetLoadError';

  constructor(
    message: string,
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const SETUP_HINT = 'run `npm run setup`, or import the CIFAR archive in the page';

/**
 * The datasets listed in `index.json`.
 *
 * `baseUrl` is the absolute URL of the datasets folder. The page computes it (from `document.baseURI`)
 * because a worker would resolve a relative URL against its own script, which lives elsewhere.
 */
export async function listDatasets(
  baseUrl: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<readonly DatasetIndexEntry[]> {
  const url = new URL('index.json', datasetsRoot(baseUrl));
  return parseDatasetIndex(await fetchJson(url, 'index.json', options.signal), 'index.json').datasets;
}

/** Fetches, verifies and decodes dataset `name` (e.g. `cifar10-subset`). */
export async function loadDataset(baseUrl: string, name: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const { signal, verify = true, onProgress } = options;
  const root = datasetsRoot(baseUrl);
  const available = await listDatasets(root.href, { signal });
  const entry = available.find((dataset) => dataset.name === name);
  if (!entry) {
    const names = available.map((dataset) => dataset.name).join(', ') || 'none';
    throw new DatasetLoadError(`Dataset "${name}" is not installed (available: ${names}); ${SETUP_HINT}.`, root.href);
  }

  const manifestUrl = new URL(entry.manifest, root);
  const manifest = parseManifest(await fetchJson(manifestUrl, entry.manifest, signal), entry.manifest);
  const totalBytes = splitBytes(manifest.train) + splitBytes(manifest.test);
  let loadedBytes = 0;
  const context: LoadContext = {
    signal,
    verify,
    received(file, bytes) {
      loadedBytes += bytes;
      onProgress?.({ loadedBytes, totalBytes, file });
    },
  };
  const train = await loadSplit(manifest.train, manifest.format, manifestUrl, context);
  const test = await loadSplit(manifest.test, manifest.format, manifestUrl, context);
  return { manifest, train, test };
}

/** What every shard fetch of one `loadDataset` call shares. */
interface LoadContext {
  readonly signal: AbortSignal | undefined;
  readonly verify: boolean;
  received(file: string, bytes: number): void;
}

async function loadSplit(
  split: SplitInfo,
  format: CifarFormat,
  manifestUrl: URL,
  context: LoadContext,
): Promise<LabeledImages> {
  const out = createLabeledImages(split.count, format);
  let offset = 0;
  for (const shard of split.shards) {
    const url = new URL(shard.file, manifestUrl);
    const bytes = await fetchShard(url, shard, context);
    if (context.verify) await verifySha256(bytes, shard, url);
    offset += decodeCifarInto(out, offset, bytes, format, shard.file);
  }
  return out;
}

/** Streams one shard into a buffer of the size the manifest promises, reporting every chunk. */
async function fetchShard(url: URL, shard: ShardInfo, context: LoadContext): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetchOk(url, context.signal);
  const bytes = new Uint8Array(shard.bytes);
  let received = 0;
  if (response.body) {
    const stream = response.body.getReader();
    for (let chunk = await stream.read(); !chunk.done; chunk = await stream.read()) {
      if (received + chunk.value.length > bytes.length) {
        await stream.cancel();
        const problem = `larger than the ${shard.bytes} bytes the manifest lists`;
        throw new DatasetLoadError(`${url}: ${problem}; ${SETUP_HINT}.`, url.href);
      }
      bytes.set(chunk.value, received);
      received += chunk.value.length;
      context.received(shard.file, chunk.value.length);
    }
  }
  if (received !== bytes.length) {
    const problem = `received ${received} of the ${shard.bytes} bytes the manifest lists (truncated?)`;
    throw new DatasetLoadError(`${url}: ${problem}; ${SETUP_HINT}.`, url.href);
  }
  return bytes;
}

async function verifySha256(bytes: Uint8Array<ArrayBuffer>, shard: ShardInfo, url: URL): Promise<void> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const actual = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  if (actual !== shard.sha256) {
    throw new DatasetLoadError(
      `${shard.file}: SHA-256 checksum mismatch (manifest ${shard.sha256.slice(0, 12)}..., ` +
        `received ${actual.slice(0, 12)}...): the file is corrupt or from another setup; ${SETUP_HINT}.`,
      url.href,
    );
  }
}

/** Fetches and parses a JSON file; `file` names it in errors. */
async function fetchJson(url: URL, file: string, signal: AbortSignal | undefined): Promise<unknown> {
  const text = await (await fetchOk(url, signal)).text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetFormatError(file, `is not valid JSON (${messageOf(error)})`);
  }
}

/** `fetch` that turns network failures, HTTP errors and dev-server fallback pages into clear errors. */
async function fetchOk(url: URL, signal: AbortSignal | undefined): Promise<Response> {
  let response: Response;
  try {
    // Revalidate every time (a cheap 304 when unchanged): after `npm run setup` a cached manifest or shard
    // would no longer match its neighbours.
    response = await fetch(url, { signal, cache: 'no-cache' });
  } catch (error) {
    if (signal?.aborted) throw error; // a cancellation, not a failure: let the caller see its AbortError
    throw new DatasetLoadError(`Could not fetch ${url} (${messageOf(error)}).`, url.href, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const status = `${response.status} ${response.statusText}`.trim();
    const hint = response.status === 404 ? `; ${SETUP_HINT}` : '';
    throw new DatasetLoadError(`HTTP ${status} for ${url}${hint}.`, url.href);
  }
  // Dev servers answer unknown paths with the app's index.html and status 200; no dataset file is HTML.
  if (response.headers.get('content-type')?.startsWith('text/html')) {
    await response.body?.cancel();
    throw new DatasetLoadError(`${url} is missing (the server sent an HTML page instead); ${SETUP_HINT}.`, url.href);
  }
  return response;
}

function datasetsRoot(baseUrl: string): URL {
  const withSlash = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  try {
    return new URL(withSlash);
  } catch {
    const problem = `The datasets base URL must be absolute (e.g. http://host/datasets/), got "${baseUrl}".`;
    throw new DatasetLoadError(problem, baseUrl);
  }
}

function messageOf(error: unknown): string {
  // Node's fetch hides the real reason (ECONNREFUSED, ENOTFOUND...) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}
