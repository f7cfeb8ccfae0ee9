/**
 * The check page's side of the real training worker: picks the backend (`init`, as the app does), then
 * sends the fixtures and reports each comparison the worker makes. tfjs-free: only messages cross.
 */
import type { BackendName } from '../config/runConfig';
import type { CheckComparison, CheckSummary, FixtureFile, FromCheck, ParityRequest, ToCheck } from '../contract/checkProtocol';
import type { FromWorker, ToWorker } from '../contract/protocol';

export interface CheckEvents {
  ready(message: Extract<FromWorker, { type: 'ready' }>): void;
  comparison(comparison: CheckComparison): void;
}

/** Runs the check in a fresh training worker on `backend`; resolves with the summary, rejects on a worker error. */
export function runCheck(backend: BackendName, fixtures: readonly FixtureFile[], parity: ParityRequest, events: CheckEvents): Promise<CheckSummary> {
  // Vite bundles the worker from this exact `new Worker(new URL(...))` form: the app's own training worker.
  const worker = new Worker(new URL('../workers/training.worker.ts', import.meta.url), { type: 'module' });
  const send = (message: ToWorker | ToCheck) => worker.postMessage(message);
  const requestId = 1;
  return new Promise<CheckSummary>((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(`the training worker crashed: ${event.message || 'unknown error'}`));
    worker.onmessage = (event: MessageEvent<FromWorker | FromCheck>) => {
      const message = event.data;
      if (message.type === 'ready') {
        events.ready(message);
        send({ type: 'check', requestId, request: { fixtures, parity, referenceBackend: 'cpu' } });
      } else if (message.type === 'checkComparison') events.comparison(message.comparison);
      else if (message.type === 'checkDone') resolve(message.summary);
      else if (message.type === 'checkError' || (message.type === 'error' && message.fatal)) reject(new Error(message.message));
    };
    send({ type: 'init', backend });
  }).finally(() => worker.terminate());
}

/** The fixture files `npm run setup` copied into `reference/` (scripts/setup-reference.mjs). */
export async function fetchFixtures(): Promise<FixtureFile[]> {
  const base = new URL('reference/', document.baseURI);
  const index = await fetchJson(new URL('index.json', base));
  const files = (index as { files?: unknown }).files;
  if (!Array.isArray(files) || !files.every((f) => typeof f === 'string' && /^[\w.-]+\.json$/.test(f))) {
    throw new Error('reference/index.json must list fixture file names');
  }
  return Promise.all(files.map(async (file: string) => ({ file, data: await fetchJson(new URL(file, base)) })));
}

async function fetchJson(url: URL): Promise<unknown> {
  const response = await fetch(url, { cache: 'no-cache' });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.includes('text/html')) throw new Error(`${url.pathname} is missing: run \`npm run setup\``);
  return response.json();
}

/** A file name parity.json may name: no folders, nothing but a plain name. */
const PARITY_FILE = /^[\w-][\w.-]*$/;

/**
 * The PyTorch parity assets from `parity/` beside the page (served only when someone puts them there: the
 * e2e test routes them from ../shared/parity; the build ships none). Any failure becomes the reason.
 */
export async function fetchParity(): Promise<ParityRequest> {
  const base = new URL('parity/', document.baseURI);
  const get = async (file: string): Promise<Uint8Array> => {
    const response = await fetch(new URL(file, base), { cache: 'no-cache' });
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || type.includes('text/html')) throw new Error(`parity/${file} is not served (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  };
  try {
    const json = await get('parity.json');
    const models = (JSON.parse(new TextDecoder().decode(json)) as { models?: unknown }).models;
    const names = Array.isArray(models) ? models.map((m) => (m as { file?: unknown } | null)?.file) : [];
    if (names.length === 0 || !names.every((n): n is string => typeof n === 'string' && PARITY_FILE.test(n))) throw new Error('parity/parity.json must list its checkpoints by plain file name');
    const files: Record<string, Uint8Array> = { 'parity.json': json };
    for (const file of ['features.safetensors', ...names]) files[file] = await get(file);
    return { state: 'fetched', files };
  } catch (error) {
    return { state: 'unavailable', reason: `the assets could not be fetched: ${error instanceof Error ? error.message : String(error)}` };
  }
}
