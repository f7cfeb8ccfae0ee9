/** Pure trace builders for the live curves: the component only hands them to Plotly. */
import type { Data, Layout } from 'plotly.js-dist-min';
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

/** The live loss chart's layout (x: images seen, so runs of any batch size line up). */
export const LOSS_LAYOUT: Partial<Layout> = {
  title: { text: 'Training loss per batch' },
  xaxis: { title: { text: 'training images seen' } },
  yaxis: { title: { text: 'loss' }, rangemode: 'tozero' },
};

export const ACCURACY_LAYOUT: Partial<Layout> = {
  title: { text: 'Test accuracy per epoch' },
  xaxis: { title: { text: 'epoch' }, dtick: 1 },
  yaxis: { title: { text: 'accuracy (%)' }, rangemode: 'tozero' },
};

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

/** Okabe-Ito colours for diagnostics that are not per-teacher (colour-blind safe). */
const DIAGNOSTIC_COLOURS = ['#D55E00', '#CC79A7', '#009E73', '#E69F00', '#56B4E9', '#0072B2'] as const;

/**
 * The method panel's figure. Teacher weights share one axis (they are comparable, and sum to 1 for some
 * methods), coloured by teacher. Anything else (triplet counts, a generator's losses, a selection rate)
 * gets its own row and axis: their scales differ by orders of magnitude.
 */
export function diagnosticFigure(series: PointSeries): { data: Data[]; layout: Partial<Layout> } {
  const entries = Object.entries(series);
  if (entries.every(([name]) => /teacher\d+/.test(name))) {
    const data = entries.map(([name, points]): Data => {
      const teacher = Number(name.match(/teacher(\d+)/)![1]) - 1;
      const color = TEACHER_SHADES[teacher % TEACHER_SHADES.length];
      return { type: 'scatter', mode: 'lines', x: points.x, y: smooth(points.y, 0.6), name, line: { color, dash: name.startsWith('feature') ? 'dash' : 'solid', width: 2 } };
    });
    return { data, layout: { xaxis: { title: { text: 'training images seen' } }, yaxis: { title: { text: 'weight' }, rangemode: 'tozero' } } };
  }
  const rows = entries.length;
  const gap = 0.06;
  const height = (1 - gap * (rows - 1)) / rows;
  const layout: Record<string, unknown> = { showlegend: false, height: 140 + 130 * rows, grid: { rows, columns: 1 } };
  const data = entries.map(([name, points], i): Data => {
    const axis = i === 0 ? '' : String(i + 1);
    const top = 1 - i * (height + gap);
    layout[`yaxis${axis}`] = { domain: [top - height, top], title: { text: name }, rangemode: 'tozero' };
    layout[`xaxis${axis}`] = { anchor: `y${axis}`, matches: i === 0 ? undefined : 'x', showticklabels: i === rows - 1, ...(i === rows - 1 ? { title: { text: 'training images seen' } } : {}) };
    const color = DIAGNOSTIC_COLOURS[i % DIAGNOSTIC_COLOURS.length];
    return { type: 'scatter', mode: 'lines+markers', x: points.x, y: points.y, name, xaxis: `x${axis}`, yaxis: `y${axis}`, line: { color, width: 2 }, marker: { color, size: 4 } };
  });
  return { data, layout: layout as Partial<Layout> };
}
