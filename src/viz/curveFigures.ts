/** Pure trace builders for the live curves: the component only hands them to Plotly. */
import type { Data } from 'plotly.js-dist-min';
import type { PointSeries } from '../app/trainer.svelte';
import type { EpochMetrics, RunPlanSummary } from '../workers/protocol';
import { ROLE_STYLE, TEACHER_SHADES } from './palette';

type LearnerInfo = RunPlanSummary['learners'][number];

function style(learner: LearnerInfo, index: number) {
  const role = ROLE_STYLE[learner.role];
  const color = learner.role === 'teacher' ? (TEACHER_SHADES[index % TEACHER_SHADES.length] ?? role.color) : role.color;
  return { color, dash: role.dash };
}

/** Exponential moving average, so a noisy per-batch loss reads as a trend (the raw points stay faint). */
export function smooth(values: readonly number[], weight = 0.8): number[] {
  const out: number[] = [];
  let last = values[0] ?? 0;
  for (const v of values) {
    last = weight * last + (1 - weight) * v;
    out.push(last);
  }
  return out;
}

export function lossTraces(learners: readonly LearnerInfo[], series: PointSeries): Data[] {
  return learners.flatMap((learner, i): Data[] => {
    const points = series[learner.key];
    if (!points) return [];
    const { color, dash } = style(learner, i);
    return [
      { type: 'scatter', mode: 'lines', x: points.x, y: points.y, line: { color, width: 1 }, opacity: 0.25, hoverinfo: 'skip', showlegend: false },
      { type: 'scatter', mode: 'lines', x: points.x, y: smooth(points.y), name: learner.label, line: { color, dash, width: 2 } },
    ];
  });
}

export function accuracyTraces(learners: readonly LearnerInfo[], epochs: readonly EpochMetrics[]): Data[] {
  return learners.flatMap((learner, i): Data[] => {
    const rows = epochs.filter((m) => m.learner === learner.key);
    if (rows.length === 0) return [];
    const { color, dash } = style(learner, i);
    return [
      {
        type: 'scatter',
        mode: 'lines+markers',
        x: rows.map((m) => m.epoch),
        y: rows.map((m) => m.testAccuracy * 100),
        name: learner.label,
        line: { color, dash, width: 2 },
        marker: { color, size: 6 },
        hovertemplate: '%{y:.1f}%',
      },
    ];
  });
}

/** One line per diagnostic (e.g. "weight teacher2"), coloured by teacher index. */
export function diagnosticTraces(series: PointSeries): Data[] {
  return Object.entries(series).map(([name, points]): Data => {
    const teacher = Number(name.match(/teacher(\d+)/)?.[1] ?? 1) - 1;
    const color = TEACHER_SHADES[teacher % TEACHER_SHADES.length];
    return { type: 'scatter', mode: 'lines', x: points.x, y: smooth(points.y, 0.6), name, line: { color, dash: name.startsWith('feature') ? 'dash' : 'solid', width: 2 } };
  });
}
