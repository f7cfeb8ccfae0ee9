/** Pure builders for the runs panel: its table rows, their CSV, and the compared accuracy curves. */
import type { Data, Layout } from 'plotly.js-dist-min';
import { csvText } from '../ui/csv';
import type { SavedResult, SavedRun } from '../storage/page/runStore';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { ROLE_STYLE } from './palette';

/** Okabe-Ito (colour-blind safe), one per compared run; the role is told by the dash instead. */
export const RUN_COLOURS = ['#009E73', '#0072B2', '#D55E00', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

export function runColour(index: number): string {
  return RUN_COLOURS[index % RUN_COLOURS.length]!;
}

export interface RunTableRow {
  readonly id: string;
  readonly name: string;
  readonly method: string;
  /** "resnet8 → tiny-cnn", or just the student for a scratch run. */
  readonly models: string;
  readonly seed: number;
  /** Configured student epochs, and how many the distilled student (or the baseline) really trained. */
  readonly epochs: number;
  readonly trainedEpochs: number | null;
  readonly studentBest: number | null;
  readonly studentLast: number | null;
  readonly studentEce: number | null;
  readonly scratchBest: number | null;
  readonly scratchLast: number | null;
  readonly scratchEce: number | null;
  readonly seconds: number;
  readonly backend: string;
  readonly adapter: string | null;
  readonly finishedAt: number;
  readonly stopped: boolean;
}

function resultOf(run: SavedRun, role: SavedResult['role']): SavedResult | undefined {
  return run.results.find((r) => r.role === role);
}

export function runTableRow(run: SavedRun): RunTableRow {
  const { config } = run;
  const student = resultOf(run, 'student');
  const scratch = resultOf(run, 'scratch');
  return {
    id: run.id,
    name: run.name,
    method: METHOD_CATALOG[config.method]?.label ?? config.method,
    models: config.method === 'scratch' ? config.student : `${config.teacher} \u2192 ${config.student}`,
    seed: config.seed,
    epochs: config.epochs,
    trainedEpochs: (student ?? scratch)?.epochs ?? null,
    studentBest: student?.bestAccuracy ?? null,
    studentLast: student?.lastAccuracy ?? null,
    studentEce: student?.ece ?? null,
    scratchBest: scratch?.bestAccuracy ?? null,
    scratchLast: scratch?.lastAccuracy ?? null,
    scratchEce: scratch?.ece ?? null,
    seconds: run.seconds,
    backend: run.backend,
    adapter: run.adapter,
    finishedAt: run.finishedAt,
    stopped: run.stopped,
  };
}

const fraction = (value: number | null) => (value === null ? null : value.toFixed(6));

const CSV_HEADER = [
  'id', 'name', 'method', 'teacher', 'student', 'seed', 'epochs', 'trained_epochs',
  'student_best', 'student_last', 'student_ece', 'scratch_best', 'scratch_last', 'scratch_ece',
  'seconds', 'backend', 'adapter', 'stopped', 'finished_at',
] as const;

/** The runs table as CSV: accuracies as fractions, the date as ISO 8601 (UTC). */
export function runsCsv(runs: readonly SavedRun[]): string {
  const lines = runs.map((run) => {
    const row = runTableRow(run);
    return [
      row.id, row.name, run.config.method, run.config.method === 'scratch' ? null : run.config.teacher, run.config.student,
      row.seed, row.epochs, row.trainedEpochs,
      fraction(row.studentBest), fraction(row.studentLast), fraction(row.studentEce),
      fraction(row.scratchBest), fraction(row.scratchLast), fraction(row.scratchEce),
      row.seconds.toFixed(1), row.backend, row.adapter, row.stopped, new Date(row.finishedAt).toISOString(),
    ];
  });
  return csvText(CSV_HEADER, lines);
}

/** Test accuracy per epoch of one learner of a run, in percent. */
function curve(run: SavedRun, learnerKey: string): { x: number[]; y: number[] } {
  const rows = run.epochs.filter((m) => m.learner === learnerKey).sort((a, b) => a.epoch - b.epoch);
  return { x: rows.map((m) => m.epoch), y: rows.map((m) => m.testAccuracy * 100) };
}

/**
 * Each run's distilled student (solid) and scratch baseline (dashed), in the run's colour; one legend
 * group per run so a click hides both of its curves.
 */
export function runsCompareTraces(runs: readonly SavedRun[]): Data[] {
  return runs.flatMap((run, i): Data[] => {
    const color = runColour(i);
    const learners = run.learners.length > 0 ? run.learners : run.results;
    return (['student', 'scratch'] as const).flatMap((role): Data[] => {
      const learner = learners.find((l) => l.role === role);
      if (!learner) return [];
      const { x, y } = curve(run, learner.key);
      if (x.length === 0) return [];
      const dash = role === 'student' ? ROLE_STYLE.student.dash : ROLE_STYLE.scratch.dash;
      return [
        {
          type: 'scatter',
          mode: 'lines+markers',
          x,
          y,
          name: `${run.name} \u00b7 ${role === 'student' ? 'distilled' : 'scratch'}`,
          legendgroup: run.id,
          line: { color, dash, width: role === 'student' ? 2.5 : 1.5 },
          marker: { color, size: role === 'student' ? 6 : 4 },
          hovertemplate: '%{y:.1f}%',
        },
      ];
    });
  });
}

/** A chart this tall leaves the plot its usual height beside a legend of one run. */
const COMPARE_HEIGHT = 380;
/** What each further pair of runs adds to the legend below the plot (two runs to a row of legend entries). */
const COMPARE_LEGEND_ROW = 46;

/**
 * Whole-epoch ticks while they fit; Plotly's own ticks beyond that. The figure grows with the legend (two
 * entries a run), so many ticked runs neither squash the plot nor push the legend onto the axis title.
 */
export function runsCompareLayout(runs: readonly SavedRun[]): Partial<Layout> {
  const lastEpoch = runs.reduce((most, run) => run.epochs.reduce((m, e) => Math.max(m, e.epoch), most), 1);
  return {
    height: COMPARE_HEIGHT + COMPARE_LEGEND_ROW * Math.max(0, Math.ceil(runs.length / 2) - 1),
    hovermode: 'closest',
    xaxis: { title: { text: 'epoch' }, ...(lastEpoch <= 20 ? { tick0: 1, dtick: 1 } : {}) },
    yaxis: { title: { text: 'test accuracy (%)' }, rangemode: 'tozero' },
  };
}
