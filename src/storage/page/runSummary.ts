/**
 * Repeated seeds: runs whose settings differ only in `seed`, made in the same place (backend and adapter:
 * the page on WebGPU, the page on wasm, PyTorch on 1 or on 2 CPU threads), are one experiment, so their
 * accuracies are summarised as mean ± sample standard deviation per learner, with a t-interval over the
 * seeds; the distilled student's gain over its scratch twin is paired run by run (same seed, same batches).
 * One seed run in two places is two implementations, not two seeds; one seed run twice in one place is a
 * repeat, averaged into that seed, so the interval counts each seed once. Pure, for the runs panel and its
 * tests.
 */
import type { RunConfig } from '../../config/runConfig';
import { mean, sampleStd, tInterval, type SeedInterval } from '../../core/intervals';
import type { LearnerRole } from '../../contract/protocol';
import type { SavedRun } from './runStore';

export interface SeedSummary {
  /** The config without its seed, canonically serialised, and where it ran: equal keys mean "same experiment". */
  readonly experimentKey: string;
  /** A readable name for the experiment, e.g. "KD · resnet8 → tiny-cnn". */
  readonly title: string;
  /** Where its runs were made, e.g. "webgpu (SwiftShader)" or "pytorch-1.13.0-cpu (CPU, 2 threads per process)". */
  readonly where: string;
  readonly learnerKey: string;
  readonly role: LearnerRole;
  readonly label: string;
  /** Distinct seeds: what the spreads and intervals are over. */
  readonly count: number;
  readonly seeds: readonly number[];
  /** Runs behind the row: more than `count` when a seed was run again in the same place. */
  readonly runs: number;
  /** Seeds run more than once in the same place, ascending; each counts once, its runs averaged. */
  readonly repeatedSeeds: readonly number[];
  readonly meanBest: number;
  readonly stdBest: number;
  readonly meanLast: number;
  readonly stdLast: number;
  readonly meanEce: number;
  /** 95% t-interval of the last-epoch accuracy over the seeds; null with one run. */
  readonly lastInterval: SeedInterval | null;
  /**
   * The distilled student only: last-epoch accuracy minus the scratch student's of the same run, over the
   * runs that have both, with its 95% t-interval; null otherwise or with one such run.
   */
  readonly gainInterval: SeedInterval | null;
}

/** Keys that vary between repeats of one experiment (`autostart` only ever rides along in a URL). */
const IGNORED_KEYS = new Set(['seed', 'autostart']);

/** JSON with sorted object keys, so two equal configs give the same string whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configKeyOf(config: RunConfig): string {
  const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !IGNORED_KEYS.has(key)));
  return canonical(rest);
}

export function experimentTitle(config: RunConfig): string {
  const models = config.method === 'scratch' ? config.student : `${config.teacher} \u2192 ${config.student}`;
  return `${config.method.toUpperCase()} \u00b7 ${models}`;
}

export function whereRunsWereMade(run: Pick<SavedRun, 'backend' | 'adapter'>): string {
  return run.adapter ? `${run.backend} (${run.adapter})` : run.backend;
}

const ROLE_ORDER: Readonly<Record<LearnerRole, number>> = { student: 0, scratch: 1, teacher: 2 };

/** One learner's numbers from one run. */
interface SeedValues {
  readonly best: number;
  readonly last: number;
  readonly ece: number;
  /** The distilled student's last accuracy minus its run's scratch twin's; undefined for other learners. */
  readonly gain?: number;
}

interface LearnerRow {
  readonly role: LearnerRole;
  readonly label: string;
  /** Every run's values, by seed (several for a seed run again in the same place). */
  readonly bySeed: Map<number, SeedValues[]>;
}

interface Experiment {
  readonly title: string;
  readonly where: string;
  readonly rows: Map<string, LearnerRow>;
}

function groupRuns(runs: readonly SavedRun[]): Map<string, Experiment> {
  const groups = new Map<string, Experiment>();
  for (const run of runs) {
    if (run.stopped) continue;
    const where = whereRunsWereMade(run);
    const experimentKey = `${configKeyOf(run.config)}|${where}`;
    let group = groups.get(experimentKey);
    if (!group) groups.set(experimentKey, (group = { title: experimentTitle(run.config), where, rows: new Map() }));
    const scratch = run.results.find((r) => r.role === 'scratch');
    for (const result of run.results) {
      let row = group.rows.get(result.key);
      if (!row) group.rows.set(result.key, (row = { role: result.role, label: result.label, bySeed: new Map() }));
      const gain = result.role === 'student' && scratch ? result.lastAccuracy - scratch.lastAccuracy : undefined;
      const values: SeedValues = { best: result.bestAccuracy, last: result.lastAccuracy, ece: result.ece, gain };
      row.bySeed.set(run.config.seed, [...(row.bySeed.get(run.config.seed) ?? []), values]);
    }
  }
  return groups;
}

/** Each seed's value: the mean over its runs (one, or a repeat's several). */
function perSeed(row: LearnerRow, pick: (v: SeedValues) => number | undefined): number[] {
  return [...row.bySeed.values()].flatMap((runs) => {
    const values = runs.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? [mean(values)] : [];
  });
}

function summaryRow(experimentKey: string, group: Experiment, learnerKey: string, row: LearnerRow): SeedSummary {
  const best = perSeed(row, (v) => v.best);
  const last = perSeed(row, (v) => v.last);
  return {
    experimentKey,
    title: group.title,
    where: group.where,
    learnerKey,
    role: row.role,
    label: row.label,
    count: row.bySeed.size,
    seeds: [...row.bySeed.keys()].sort((a, b) => a - b),
    runs: [...row.bySeed.values()].reduce((sum, runs) => sum + runs.length, 0),
    repeatedSeeds: [...row.bySeed].filter(([, runs]) => runs.length > 1).map(([seed]) => seed).sort((a, b) => a - b),
    meanBest: mean(best),
    stdBest: sampleStd(best),
    meanLast: mean(last),
    stdLast: sampleStd(last),
    meanEce: mean(perSeed(row, (v) => v.ece)),
    lastInterval: tInterval(last),
    gainInterval: row.role === 'student' ? tInterval(perSeed(row, (v) => v.gain)) : null,
  };
}

/**
 * One row per experiment and learner (the distilled student, the scratch baseline, each teacher), in the
 * order the experiments first appear in `runs` (newest first when given `store.list()`). Stopped runs are
 * left out: their last learners did not train all their epochs, so they are not repeats. Each row's seeds
 * are listed in ascending order, whatever order the runs were made or imported in.
 */
export function seedSummary(runs: readonly SavedRun[]): SeedSummary[] {
  return [...groupRuns(runs)].flatMap(([experimentKey, group]) =>
    [...group.rows]
      .sort(([keyA, a], [keyB, b]) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
      .map(([learnerKey, row]) => summaryRow(experimentKey, group, learnerKey, row)),
  );
}

/** The runs behind a row, e.g. "3 runs" or "4 runs; seed 3 run again, averaged". */
export function runsBehind(summary: Pick<SeedSummary, 'runs' | 'repeatedSeeds'>): string {
  const repeated = summary.repeatedSeeds;
  if (repeated.length === 0) return `${summary.runs} runs`;
  return `${summary.runs} runs; seed${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')} run again, averaged`;
}
