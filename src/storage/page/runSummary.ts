/**
 * Repeated seeds: runs whose settings differ only in `seed` are one experiment, so their accuracies are
 * summarised as mean ± sample standard deviation per learner, with a t-interval over the seeds; the
 * distilled student's gain over its scratch twin is paired run by run (same seed, same batches). Pure, for
 * the runs panel and its tests.
 */
import type { RunConfig } from '../../config/runConfig';
import { mean, sampleStd, tInterval, type SeedInterval } from '../../core/intervals';
import type { LearnerRole } from '../../contract/protocol';
import type { SavedRun } from './runStore';

export interface SeedSummary {
  /** The config without its seed, canonically serialised: equal keys mean "same experiment". */
  readonly configKey: string;
  /** A readable name for the experiment, e.g. "KD · resnet8 → tiny-cnn". */
  readonly title: string;
  readonly learnerKey: string;
  readonly role: LearnerRole;
  readonly label: string;
  readonly count: number;
  readonly seeds: readonly number[];
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

const ROLE_ORDER: Readonly<Record<LearnerRole, number>> = { student: 0, scratch: 1, teacher: 2 };

/**
 * One row per experiment and learner (the distilled student, the scratch baseline, each teacher), in the
 * order the experiments first appear in `runs` (newest first when given `store.list()`). Stopped runs are
 * left out: their last learners did not train all their epochs, so they are not repeats. Each row's seeds
 * are listed in ascending order, whatever order the runs were made or imported in.
 */
export function seedSummary(runs: readonly SavedRun[]): SeedSummary[] {
  const groups = new Map<string, { title: string; rows: Map<string, { role: LearnerRole; label: string; seeds: number[]; best: number[]; last: number[]; ece: number[]; gain: number[] }> }>();
  for (const run of runs) {
    if (run.stopped) continue;
    const configKey = configKeyOf(run.config);
    let group = groups.get(configKey);
    if (!group) groups.set(configKey, (group = { title: experimentTitle(run.config), rows: new Map() }));
    const scratch = run.results.find((r) => r.role === 'scratch');
    for (const result of run.results) {
      let row = group.rows.get(result.key);
      if (!row) group.rows.set(result.key, (row = { role: result.role, label: result.label, seeds: [], best: [], last: [], ece: [], gain: [] }));
      row.seeds.push(run.config.seed);
      row.best.push(result.bestAccuracy);
      row.last.push(result.lastAccuracy);
      row.ece.push(result.ece);
      if (result.role === 'student' && scratch) row.gain.push(result.lastAccuracy - scratch.lastAccuracy);
    }
  }
  return [...groups].flatMap(([configKey, group]) =>
    [...group.rows]
      .sort(([keyA, a], [keyB, b]) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
      .map(([learnerKey, row]) => ({
        configKey,
        title: group.title,
        learnerKey,
        role: row.role,
        label: row.label,
        count: row.best.length,
        seeds: [...row.seeds].sort((a, b) => a - b),
        meanBest: mean(row.best),
        stdBest: sampleStd(row.best),
        meanLast: mean(row.last),
        stdLast: sampleStd(row.last),
        meanEce: mean(row.ece),
        lastInterval: tInterval(row.last),
        gainInterval: row.role === 'student' ? tInterval(row.gain) : null,
      })),
  );
}
