/**
 * Every finished (or stopped) run, kept in the browser's IndexedDB through `idb`, so the runs panel can
 * compare runs across reloads. Records are plain data: no logits (they are megabytes per run), no proxies.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { withScheduleDefaults, type RunConfig } from '../../config/runConfig';
import { experimentTitle } from './runSummary';
import type { AdapterSummary, EpochMetrics, LearnerRole, ModelResult, RunPlanSummary } from '../../contract/protocol';

export type SavedLearner = Pick<RunPlanSummary['learners'][number], 'key' | 'role' | 'label' | 'model' | 'method'>;

/** One learner's outcome without its test logits. */
export interface SavedResult {
  readonly key: string;
  readonly label: string;
  readonly role: LearnerRole;
  readonly bestAccuracy: number;
  readonly bestEpoch: number;
  readonly lastAccuracy: number;
  readonly ece: number;
  readonly nll: number;
  readonly epochs: number;
  readonly reused: boolean;
}

export interface SavedRun {
  readonly id: string;
  readonly name: string;
  readonly config: RunConfig;
  /** Epoch milliseconds. */
  readonly finishedAt: number;
  readonly seconds: number;
  readonly backend: string;
  readonly adapter: string | null;
  /** The user stopped it: its last learners may have fewer epochs than configured. */
  readonly stopped: boolean;
  readonly learners: readonly SavedLearner[];
  /** Every learner's every epoch, as the worker reported them. */
  readonly epochs: readonly EpochMetrics[];
  readonly results: readonly SavedResult[];
  /** Set on a run imported from a bundle file (see runBundle.ts); records saved before it existed have none. */
  readonly importedFrom?: RunImport;
}

/** Where an imported run came from: it was trained elsewhere (or earlier) and exported. */
export interface RunImport {
  readonly fileName: string;
  /** Epoch milliseconds of the import. */
  readonly at: number;
}

export interface RunStore {
  save(run: SavedRun): Promise<void>;
  /** Newest first. */
  list(): Promise<SavedRun[]>;
  get(id: string): Promise<SavedRun | undefined>;
  rename(id: string, name: string): Promise<SavedRun>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

export const RUN_NAME_MAX_LENGTH = 80;

/** Why a run name is refused, or null when it is fine. */
export function runNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'A run name cannot be empty.';
  if (trimmed.length > RUN_NAME_MAX_LENGTH) return `A run name can have at most ${RUN_NAME_MAX_LENGTH} characters (this one has ${trimmed.length}).`;
  return null;
}

/** The trimmed name, or an Error saying why it is refused. */
export function checkRunName(name: string): string {
  const problem = runNameProblem(name);
  if (problem) throw new Error(problem);
  return name.trim();
}

/** "KD · resnet8 → tiny-cnn · seed 1" (no teacher for a scratch run). */
export function defaultRunName(config: RunConfig): string {
  return `${experimentTitle(config)} \u00b7 seed ${config.seed}`;
}

/** A random id; `crypto.randomUUID` exists only in secure contexts (not on a plain-http LAN address). */
export function newRunId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the trainer knows when a run ends. */
export interface TrainerSnapshot {
  readonly config: RunConfig;
  /** The plan's learners; when the run stopped before its plan arrived, the results' learners are used. */
  readonly learners: readonly SavedLearner[];
  readonly epochs: readonly EpochMetrics[];
  readonly results: readonly ModelResult[];
  readonly seconds: number;
  readonly backend: string;
  readonly adapter: AdapterSummary | string | null;
  readonly stopped: boolean;
  /** Epoch milliseconds (Date.now()). */
  readonly now: number;
  readonly id: string;
  readonly name?: string;
}

function adapterName(adapter: AdapterSummary | string | null): string | null {
  if (adapter === null || typeof adapter === 'string') return adapter;
  return adapter.description || [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || null;
}

/**
 * The record to save. Pure, and it copies every nested object: the inputs may be Svelte proxies, which
 * IndexedDB's structured clone refuses.
 */
export function savedRunFrom(snapshot: TrainerSnapshot): SavedRun {
  const { config } = snapshot;
  const learners = snapshot.learners.length > 0 ? snapshot.learners : snapshot.results.map((r) => r.learner);
  return {
    id: snapshot.id,
    name: snapshot.name === undefined ? defaultRunName(config) : checkRunName(snapshot.name),
    config: { ...config, methodParams: { ...config.methodParams } },
    finishedAt: snapshot.now,
    seconds: snapshot.seconds,
    backend: snapshot.backend,
    adapter: adapterName(snapshot.adapter),
    stopped: snapshot.stopped,
    learners: learners.map(({ key, role, label, model, method }) => ({ key, role, label, model, method })),
    epochs: snapshot.epochs.map((m) => ({ ...m, terms: { ...m.terms }, diagnostics: { ...m.diagnostics } })),
    results: snapshot.results.map((r) => ({
      key: r.learner.key,
      label: r.learner.label,
      role: r.learner.role,
      bestAccuracy: r.bestAccuracy,
      bestEpoch: r.bestEpoch,
      lastAccuracy: r.lastAccuracy,
      ece: r.ece,
      nll: r.nll,
      epochs: r.epochs,
      reused: r.reused,
    })),
  };
}

/**
 * A record as today's code reads it. Runs saved before the hold-out existed have no `holdout` in their
 * config: they trained on the whole subset, so they read as `holdout: false` (and the runs panel labels
 * them "no hold-out"), never as today's default. Runs from before milestones and decay stepped x0.1 at
 * the reference fractions: '' and 0.1.
 */
export function upgradeSavedRun(run: SavedRun): SavedRun {
  const config = run.config as Omit<RunConfig, 'holdout'> & { readonly holdout?: boolean };
  return { ...run, config: { ...withScheduleDefaults(config), holdout: config.holdout ?? false } };
}

interface DistilleryDb extends DBSchema {
  runs: { key: string; value: SavedRun; indexes: { finishedAt: number } };
}

/** Bump with a new `if (oldVersion < n)` step in `upgrade`; never edit an old step. */
const DB_VERSION = 1;

const UNAVAILABLE = 'Saved runs are unavailable: this browser does not allow IndexedDB here (private browsing or storage disabled).';

function unavailable(error: unknown): Error {
  return new Error(`${UNAVAILABLE} (${error instanceof Error ? error.message : String(error)})`);
}

function openDatabase(name: string): Promise<IDBPDatabase<DistilleryDb>> {
  return new Promise((resolve, reject) => {
    try {
      openDB<DistilleryDb>(name, DB_VERSION, {
        upgrade(db, oldVersion) {
          if (oldVersion < 1) db.createObjectStore('runs', { keyPath: 'id' }).createIndex('finishedAt', 'finishedAt');
        },
        // Another tab holds an older version open: waiting would hang the panel forever.
        blocked: () => reject(new Error('Saved runs are unavailable: another Distillery tab is using an older version of the run store. Close it and reload.')),
        // Let a newer version opened in another tab upgrade instead of blocking it.
        blocking(_current, _next, event) {
          (event.target as IDBDatabase).close();
        },
      }).then(resolve, (error: unknown) => reject(unavailable(error)));
    } catch (error) {
      reject(unavailable(error)); // some browsers throw synchronously from indexedDB.open in private mode
    }
  });
}

/** Opens (creating or upgrading) the run store; rejects with a readable message when IndexedDB is unavailable. */
export async function openRunStore(name = 'distillery'): Promise<RunStore> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) throw new Error(UNAVAILABLE);
  const db = await openDatabase(name);
  return {
    async save(run) {
      await db.put('runs', { ...run, name: checkRunName(run.name) });
    },
    async list() {
      return (await db.getAllFromIndex('runs', 'finishedAt')).reverse().map(upgradeSavedRun);
    },
    async get(id) {
      const run = await db.get('runs', id);
      return run && upgradeSavedRun(run);
    },
    async rename(id, name) {
      const checked = checkRunName(name);
      const tx = db.transaction('runs', 'readwrite');
      const run = await tx.store.get(id);
      if (!run) {
        tx.abort();
        await tx.done.catch(() => {}); // the abort is ours, not a failure to report
        throw new Error(`There is no saved run with id ${id}.`);
      }
      const renamed = upgradeSavedRun({ ...run, name: checked });
      await tx.store.put(renamed);
      await tx.done;
      return renamed;
    },
    remove: (id) => db.delete('runs', id),
    clear: () => db.clear('runs'),
    close: () => db.close(),
  };
}
