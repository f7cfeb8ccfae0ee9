/**
 * A saved run as a file to share or keep: a JSON bundle (config, learners, every epoch's metrics, results)
 * that another browser imports to view, and its curves as CSV. Pure and DOM-free: the runs panel reads the
 * picked file and saves what `parseRunBundle` returns. Nothing from a file is trusted: every field is
 * checked, and the config goes through the URL table so it is clamped to today's settings.
 */
import { FIELDS, parseUrl, serializeConfig } from '../../config/fields';
import type { RunConfig } from '../../config/runConfig';
import { isMethodId } from '../../contract/methodCatalog';
import { MODEL_FILE_FORMAT } from '../../contract/modelFile';
import type { EpochMetrics, LearnerRole } from '../../contract/protocol';
import { csvText } from '../../ui/csv';
import { formatBytes } from '../../ui/format';
import { runNameProblem, type SavedLearner, type SavedResult, type SavedRun } from './runStore';

export const RUN_BUNDLE_FORMAT = 'distillery-run-bundle';
export const RUN_BUNDLE_VERSION = 1;
/** Far above a long run (a 500-epoch, four-learner run is ~1 MB); a file larger than this is not ours. */
export const RUN_BUNDLE_MAX_BYTES = 20 * 1024 * 1024;
export const RUN_BUNDLE_EXTENSION = '.distillery-run.json';

export class RunBundleError extends Error {
  override readonly name = 'RunBundleError';
}

/** What a bundle holds: the run without its local id or import mark (the importer gives its own). */
type BundledRun = Omit<SavedRun, 'id' | 'importedFrom'>;

interface RunBundle {
  readonly format: typeof RUN_BUNDLE_FORMAT;
  readonly version: typeof RUN_BUNDLE_VERSION;
  /** ISO 8601, for people reading the file. */
  readonly exportedAt: string;
  readonly run: BundledRun;
}

export function runBundleJson(run: SavedRun, exportedAt: number = Date.now()): string {
  const { id: _id, importedFrom: _importedFrom, ...rest } = run;
  const bundle: RunBundle = { format: RUN_BUNDLE_FORMAT, version: RUN_BUNDLE_VERSION, exportedAt: new Date(exportedAt).toISOString(), run: rest };
  return JSON.stringify(bundle, null, 2) + '\n';
}

/** A file-name stem from a run name: letters (any script), digits and dashes. */
export function runFileStem(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'run';
}

/** The run's learners; a run stopped before its plan arrived knows them only from its results. */
function learnersOf(run: SavedRun): readonly Pick<SavedLearner, 'key' | 'label' | 'role'>[] {
  return run.learners.length > 0 ? run.learners : run.results;
}

const uniqueKeys = (records: readonly Readonly<Record<string, number>>[]) => [...new Set(records.flatMap((r) => Object.keys(r)))];

/** One row per learner and epoch, learners in the run's order; a column per loss term and diagnostic seen. */
export function runCurvesCsv(run: SavedRun): string {
  const learners = learnersOf(run);
  const order = (key: string) => learners.findIndex((l) => l.key === key);
  const rows = [...run.epochs].sort((a, b) => order(a.learner) - order(b.learner) || a.epoch - b.epoch);
  const terms = uniqueKeys(rows.map((m) => m.terms));
  const diagnostics = uniqueKeys(rows.map((m) => m.diagnostics));
  const header = [
    'learner', 'label', 'role', 'stage', 'epoch', 'lr', 'train_loss', 'train_accuracy', 'test_accuracy', 'test_nll', 'ece', 'seconds',
    ...terms.map((t) => `term:${t}`), ...diagnostics.map((d) => `diagnostic:${d}`),
  ];
  const lines = rows.map((m) => {
    const learner = learners.find((l) => l.key === m.learner);
    return [
      m.learner, learner?.label, learner?.role, m.stage, m.epoch, m.lr, m.trainLoss, m.trainAccuracy, m.testAccuracy, m.testNll, m.ece, m.seconds,
      ...terms.map((t) => m.terms[t]), ...diagnostics.map((d) => m.diagnostics[d]),
    ];
  });
  return csvText(header, lines);
}

// ---- Reading a bundle: small typed readers that name the offending field ----

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === undefined) return 'it is missing';
  if (value === null) return 'it is null';
  if (typeof value === 'number') return `it is ${value}`;
  if (typeof value === 'string') return `it is the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `it is ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`}`;
}

function wrong(path: string, wanted: string, value: unknown): never {
  throw new RunBundleError(`This run bundle is damaged: ${path} should be ${wanted}, but ${describe(value)}.`);
}

const record = (value: unknown, path: string): Json => (isRecord(value) ? value : wrong(path, 'an object', value));
const list = (o: Json, key: string, path: string): unknown[] => (Array.isArray(o[key]) ? (o[key] as unknown[]) : wrong(`${path}.${key}`, 'a list', o[key]));
const text = (o: Json, key: string, path: string): string => (typeof o[key] === 'string' ? (o[key] as string) : wrong(`${path}.${key}`, 'text', o[key]));
const flag = (o: Json, key: string, path: string): boolean => (typeof o[key] === 'boolean' ? (o[key] as boolean) : wrong(`${path}.${key}`, 'true or false', o[key]));
/** JSON has no NaN; an overflowing literal (1e999) parses as Infinity, which no metric can be. */
const finite = (o: Json, key: string, path: string): number => (typeof o[key] === 'number' && Number.isFinite(o[key]) ? (o[key] as number) : wrong(`${path}.${key}`, 'a finite number', o[key]));
function count(o: Json, key: string, path: string, min: number): number {
  const value = finite(o, key, path);
  return Number.isInteger(value) && value >= min ? value : wrong(`${path}.${key}`, `a whole number from ${min}`, value);
}
const ROLES: readonly LearnerRole[] = ['teacher', 'scratch', 'student'];
function role(o: Json, path: string): LearnerRole {
  const value = text(o, 'role', path);
  return (ROLES as readonly string[]).includes(value) ? (value as LearnerRole) : wrong(`${path}.role`, `one of ${ROLES.join(', ')}`, value);
}

/** Loss terms and diagnostics by name. A NaN one was written as null (JSON has no NaN), so null reads back as NaN. */
function numbers(o: Json, key: string, path: string): Record<string, number> {
  const entries = Object.entries(record(o[key], `${path}.${key}`));
  return Object.fromEntries(entries.map(([name, v]) => [name, v === null ? Number.NaN : finite({ [name]: v }, name, `${path}.${key}`)]));
}

function readLearner(value: unknown, path: string): SavedLearner {
  const o = record(value, path);
  // Model and method ids are only shown: one since removed from the zoo must not refuse the whole run.
  return { key: text(o, 'key', path), role: role(o, path), label: text(o, 'label', path), model: text(o, 'model', path) as SavedLearner['model'], method: text(o, 'method', path) as SavedLearner['method'] };
}

function readEpoch(value: unknown, path: string, keys: ReadonlySet<string>): EpochMetrics {
  const o = record(value, path);
  const learner = text(o, 'learner', path);
  if (!keys.has(learner)) throw new RunBundleError(`This run bundle is damaged: ${path} is for a learner "${learner}" that the run does not list (${[...keys].join(', ') || 'it lists none'}).`);
  const stage = o.stage === undefined ? undefined : text(o, 'stage', path);
  return {
    learner, epoch: count(o, 'epoch', path, 1), lr: finite(o, 'lr', path), trainLoss: finite(o, 'trainLoss', path),
    terms: numbers(o, 'terms', path), diagnostics: numbers(o, 'diagnostics', path),
    trainAccuracy: finite(o, 'trainAccuracy', path), testAccuracy: finite(o, 'testAccuracy', path), testNll: finite(o, 'testNll', path),
    ece: finite(o, 'ece', path), seconds: finite(o, 'seconds', path), ...(stage === undefined ? {} : { stage }),
  };
}

function readResult(value: unknown, path: string, keys: ReadonlySet<string>): SavedResult {
  const o = record(value, path);
  const key = text(o, 'key', path);
  if (keys.size > 0 && !keys.has(key)) throw new RunBundleError(`This run bundle is damaged: ${path} is for a learner "${key}" that the run does not list (${[...keys].join(', ')}).`);
  return {
    key, label: text(o, 'label', path), role: role(o, path), bestAccuracy: finite(o, 'bestAccuracy', path), bestEpoch: count(o, 'bestEpoch', path, 0),
    lastAccuracy: finite(o, 'lastAccuracy', path), ece: finite(o, 'ece', path), nll: finite(o, 'nll', path), epochs: count(o, 'epochs', path, 0), reused: flag(o, 'reused', path),
  };
}

/**
 * The config as today's URL table reads it, as an old link would be: out-of-range or unknown values
 * clamped or replaced by defaults, each with a note; a setting newer than the bundle silently takes its
 * default. A method that no longer exists cannot be shown.
 */
function readConfig(value: unknown): { config: RunConfig; notes: readonly string[] } {
  const o = record(value, 'run.config');
  const method = text(o, 'method', 'run.config');
  if (!isMethodId(method)) throw new RunBundleError(`This run used the method "${method}", which this version of Distillery does not have, so it cannot be imported.`);
  record(o.methodParams, 'run.config.methodParams');
  const query = new URLSearchParams(serializeConfig(o as unknown as RunConfig));
  for (const field of FIELDS) {
    const v = o[field.key];
    if (v === undefined) query.delete(field.key); // serializeConfig wrote "undefined"
    else if (!query.has(field.key) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      // Another method's setting (e.g. the custom loss) is left out of links, but belongs to the record.
      query.set(field.key, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
  }
  // A bundle from before the hold-out trained on the whole subset: it reads as holdout=0, not today's default.
  const legacy = o.holdout === undefined;
  if (legacy) query.set('holdout', '0');
  const { config, notes } = parseUrl(query);
  return { config, notes: legacy ? [...notes, 'This run was trained before the hold-out existed: nothing was held out, so it reads as holdout=0.'] : notes };
}

/** Throws when a file is too large to be a bundle; the page calls it before reading the file at all. */
export function checkRunBundleSize(bytes: number): void {
  if (bytes > RUN_BUNDLE_MAX_BYTES) throw new RunBundleError(`This file is ${formatBytes(bytes)}; a run bundle is at most ${formatBytes(RUN_BUNDLE_MAX_BYTES)}, so it is not one.`);
}

/** What a file that is not a bundle seems to be, for the message. */
function notJson(text: string, error: unknown): RunBundleError {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  if (/^\s*[{[]/.test(text)) return new RunBundleError(`This file is not valid JSON: it may be cut short or damaged (${error instanceof Error ? error.message : String(error)}).`);
  if (firstLine.startsWith('id,name,method')) return new RunBundleError('This is the runs table CSV, not a run bundle: import a file saved with "Export bundle" (.distillery-run.json).');
  if (firstLine.startsWith('learner,label,role')) return new RunBundleError('This is a curves CSV, not a run bundle: import a file saved with "Export bundle" (.distillery-run.json).');
  if (firstLine.includes(',')) return new RunBundleError('This looks like a CSV file, not a run bundle: import a file saved with "Export bundle" (.distillery-run.json).');
  return new RunBundleError('This file is not JSON, so it is not a run bundle: import a file saved with "Export bundle" (.distillery-run.json).');
}

function checkFormat(json: Json): void {
  if (json.format === RUN_BUNDLE_FORMAT) return;
  if (json.format === MODEL_FILE_FORMAT || 'modelTopology' in json || 'weightsManifest' in json) {
    throw new RunBundleError('This is a model file (model.json), not a run bundle: it holds a network\u2019s weights, not a run\u2019s metrics.');
  }
  throw new RunBundleError(`This JSON is not a Distillery run bundle (its format is ${json.format === undefined ? 'missing' : `"${String(json.format)}"`}).`);
}

/**
 * Reads a bundle's text into a run ready to save: a fresh id (importing twice gives two runs), the
 * bundle's name, marked as imported. `notes` says what of the config was clamped to today's settings.
 */
export function parseRunBundle(source: string, options: { readonly newId: () => string; readonly now: number; readonly fileName?: string }): { run: SavedRun; notes: readonly string[] } {
  checkRunBundleSize(source.length); // UTF-16 units: never more than the file's bytes
  if (source.trim() === '') throw new RunBundleError('This file is empty.');
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw notJson(source, error);
  }
  if (!isRecord(json)) throw new RunBundleError(`This JSON holds ${Array.isArray(json) ? 'a list' : 'a single value'}, not a run bundle.`);
  checkFormat(json);
  const version = count(json, 'version', 'bundle', 1);
  if (version > RUN_BUNDLE_VERSION) {
    throw new RunBundleError(`This bundle was written by a newer Distillery (bundle version ${version}; this page reads version ${RUN_BUNDLE_VERSION}). Reload the page to get the newest version.`);
  }
  const o = record(json.run, 'run');
  const name = text(o, 'name', 'run');
  const nameProblem = runNameProblem(name);
  if (nameProblem) throw new RunBundleError(`This run bundle is damaged: ${nameProblem}`);
  const { config, notes } = readConfig(o.config);
  const learners = list(o, 'learners', 'run').map((l, i) => readLearner(l, `run.learners[${i}]`));
  const keys = new Set(learners.map((l) => l.key));
  if (keys.size !== learners.length) throw new RunBundleError('This run bundle is damaged: two of its learners have the same key.');
  const results = list(o, 'results', 'run').map((r, i) => readResult(r, `run.results[${i}]`, keys));
  const known = keys.size > 0 ? keys : new Set(results.map((r) => r.key));
  const epochs = list(o, 'epochs', 'run').map((m, i) => readEpoch(m, `run.epochs[${i}]`, known));
  const adapter = o.adapter === null ? null : text(o, 'adapter', 'run');
  const run: SavedRun = {
    id: options.newId(), name: name.trim(), config, finishedAt: finite(o, 'finishedAt', 'run'), seconds: finite(o, 'seconds', 'run'),
    backend: text(o, 'backend', 'run'), adapter, stopped: flag(o, 'stopped', 'run'), learners, epochs, results,
    importedFrom: { fileName: options.fileName ?? 'a run bundle', at: options.now },
  };
  return { run, notes };
}
