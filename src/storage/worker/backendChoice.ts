/**
 * The outcome of `backend=auto`'s race, remembered in the browser (IndexedDB through idb) so a later page load
 * on the same machine trains at once instead of timing every candidate again (20-60 s where WebGPU is
 * emulated). A choice is keyed by what the measurement depends on: the browser (its user agent), the WebGPU
 * adapter or why there is none, the probe and the candidates, and BACKEND_CHOICE_VERSION, bumped whenever
 * the race or a backend's kernels change enough to change the answer. It is trusted for
 * BACKEND_CHOICE_MAX_AGE_DAYS; anything older, from another version, or malformed is ignored and measured
 * again. Only backends that started and trained are ever stored. Used by the training worker; no tfjs.
 */
import { openDB, type DBSchema } from 'idb';
import { BACKENDS, type BackendName } from '../../config/runConfig';
import { withBrowserDatabase } from '../browserDatabase';

/** Bump when the race, the probe or a backend's kernels change: every remembered choice is then re-measured. */
export const BACKEND_CHOICE_VERSION = 1;
/** How long a measurement is trusted: browsers and drivers update, and a month-old timing may no longer hold. */
export const BACKEND_CHOICE_MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One candidate's measured speed. */
export interface BackendMeasurement {
  readonly backend: BackendName;
  readonly secondsPerImage: number;
}

/** What the race depends on; two loads with equal parts may reuse each other's choice. */
export interface BackendChoiceKeyParts {
  /** The browser and its platform (navigator.userAgent). */
  readonly platform: string;
  /** The WebGPU adapter (vendor, architecture, description), or why there is none. */
  readonly adapter: string;
  /** What was timed (model and batch of the probe). */
  readonly probe: string;
  readonly candidates: readonly BackendName[];
}

export interface RememberedBackendChoice {
  readonly key: string;
  readonly version: number;
  /** When the race ran (ms since the epoch). */
  readonly measuredAt: number;
  /** Every candidate that started and trained, with its speed; the fastest is the choice. */
  readonly entries: readonly BackendMeasurement[];
}

interface BackendChoiceSchema extends DBSchema {
  choices: { key: string; value: RememberedBackendChoice };
}

const DATABASE = 'distillery-backend-choice';

export function backendChoiceKey(parts: BackendChoiceKeyParts): string {
  return JSON.stringify({ version: BACKEND_CHOICE_VERSION, platform: parts.platform, adapter: parts.adapter, probe: parts.probe, candidates: [...parts.candidates].sort() });
}

/** The fastest measured backend. */
export function fastestBackend(entries: readonly BackendMeasurement[]): BackendMeasurement | undefined {
  return [...entries].sort((a, b) => a.secondsPerImage - b.secondsPerImage)[0];
}

/** The candidates a key names (a key is backendChoiceKey's JSON); none for anything else. */
function candidatesOf(key: string): string[] {
  try {
    const { candidates } = JSON.parse(key) as { candidates?: unknown };
    return Array.isArray(candidates) ? candidates.filter((c): c is string => typeof c === 'string' && (BACKENDS as readonly string[]).includes(c)) : [];
  } catch {
    return [];
  }
}

function isMeasurement(value: unknown, candidates: readonly string[]): value is BackendMeasurement {
  if (typeof value !== 'object' || value === null) return false;
  const { backend, secondsPerImage } = value as Record<string, unknown>;
  return typeof backend === 'string' && candidates.includes(backend) && typeof secondsPerImage === 'number' && Number.isFinite(secondsPerImage) && secondsPerImage > 0;
}

/**
 * The stored value if it is a whole, current choice for `key`: this version, measured within the last
 * BACKEND_CHOICE_MAX_AGE_DAYS (and not in the future), every entry a known candidate with a finite positive
 * speed. Anything else (an older build's record, a half-written or edited one) is null: measured again.
 */
export function usableBackendChoice(value: unknown, key: string, now: number): RememberedBackendChoice | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.key !== key || record.version !== BACKEND_CHOICE_VERSION) return null;
  const { measuredAt, entries } = record;
  if (typeof measuredAt !== 'number' || !Number.isFinite(measuredAt) || measuredAt > now || now - measuredAt > BACKEND_CHOICE_MAX_AGE_DAYS * DAY_MS) return null;
  const known = candidatesOf(key);
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => isMeasurement(entry, known))) return null;
  return { key, version: BACKEND_CHOICE_VERSION, measuredAt, entries: entries.map(({ backend, secondsPerImage }: BackendMeasurement) => ({ backend, secondsPerImage })) };
}

function open() {
  return openDB<BackendChoiceSchema>(DATABASE, 1, {
    upgrade(db) {
      db.createObjectStore('choices', { keyPath: 'key' });
    },
  });
}

function withDatabase<T>(use: (db: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  return withBrowserDatabase(open, 'the automatic backend choice cannot be remembered', use);
}

/** The remembered choice for `key`, or null when there is none or it may not be trusted (see usableBackendChoice). */
export function recallBackendChoice(key: string, now = Date.now()): Promise<RememberedBackendChoice | null> {
  return withDatabase(async (db) => usableBackendChoice(await db.get('choices', key), key, now));
}

/** Keeps a race's outcome; refuses one that measured nothing, since a failed backend is never a winner. */
export function rememberBackendChoice(key: string, entries: readonly BackendMeasurement[], measuredAt = Date.now()): Promise<void> {
  const choice: RememberedBackendChoice = { key, version: BACKEND_CHOICE_VERSION, measuredAt, entries: entries.map(({ backend, secondsPerImage }) => ({ backend, secondsPerImage })) };
  if (!usableBackendChoice(choice, key, measuredAt)) {
    return Promise.reject(new Error(`Refusing to remember a backend race without a finite speed for every entry (${JSON.stringify(entries)}).`));
  }
  return withDatabase(async (db) => void (await db.put('choices', choice)));
}

/** Forgets the choice for `key` (the page's "Measure again" races anew and stores the new outcome). */
export function forgetBackendChoice(key: string): Promise<void> {
  return withDatabase((db) => db.delete('choices', key));
}
