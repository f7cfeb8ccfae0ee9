/** Pure trace builders for the live curves: the component only hands them to Plotly. */
import type { Data, Layout } from 'plotly.js-dist-min';
import type { PointSeries } from '../client/curves.svelte';
import type { EpochMetrics, RunPlanSummary } from '../contract/protocol';
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

/**
 * Points per trace drawn at most: a long run sends thousands of per-batch losses, and a redraw's cost grows
 * with them; a chart is a few hundred pixels wide, so more points only cost time.
 */
export const MAX_TRACE_POINTS = 600;

/**
 * A series thinned to at most `maxPoints` for drawing: consecutive buckets of points, each kept as its
 * lowest and highest point in x order, so spikes and the envelope survive, plus the first and last points
 * so the curve spans the same range. Short series come back as they are.
 */
export function thinSeries(x: readonly number[], y: readonly number[], maxPoints = MAX_TRACE_POINTS): { x: number[]; y: number[] } {
  const n = x.length;
  if (n <= maxPoints) return { x: [...x], y: [...y] };
  const bucket = Math.ceil(n / Math.floor((maxPoints - 2) / 2));
  const kept: number[] = [];
  for (let start = 0; start < n; start += bucket) {
    const end = Math.min(n, start + bucket);
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if (y[i]! < y[low]!) low = i;
      if (y[i]! > y[high]!) high = i;
    }
    kept.push(Math.min(low, high), Math.max(low, high));
  }
  const indices = [...new Set([0, ...kept, n - 1])].sort((a, b) => a - b);
  return { x: indices.map((i) => x[i]!), y: indices.map((i) => y[i]!) };
}

export function lossTraces(learners: readonly LearnerInfo[], series: PointSeries): Data[] {
  return learners.flatMap((learner, i): Data[] => {
    const points = series[learner.key];
    if (!points) return [];
    const { color, dash } = style(learner, i);
    const raw = thinSeries(points.x, points.y);
    const trend = thinSeries(points.x, smooth(points.y));
    return [
      { type: 'scatter', mode: 'lines', ...raw, line: { color, width: 1 }, opacity: 0.25, hoverinfo: 'skip', showlegend: false },
      // A lone point (one batch so far: a Step, a tiny run) draws no line, so it gets a marker.
      { type: 'scatter', mode: trend.x.length === 1 ? 'markers' : 'lines', ...trend, name: learner.label, line: { color, dash, width: 2 }, marker: { color, size: 6 } },
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
 * gets its own row and axis: their scales differ by orders of magnitude. `perEpoch`: a saved run's epoch
 * means (x = epoch), drawn point by point, unsmoothed.
 */
export function diagnosticFigure(series: PointSeries, perEpoch = false): { data: Data[]; layout: Partial<Layout> } {
  const entries = Object.entries(series);
  const xTitle = perEpoch ? 'epoch' : 'training images seen';
  if (entries.every(([name]) => /teacher\d+/.test(name))) {
    const data = entries.map(([name, points]): Data => {
      const teacher = Number(name.match(/teacher(\d+)/)![1]) - 1;
      const color = TEACHER_SHADES[teacher % TEACHER_SHADES.length];
      const trend = perEpoch ? { x: points.x, y: points.y } : thinSeries(points.x, smooth(points.y, 0.6));
      return { type: 'scatter', mode: perEpoch ? 'lines+markers' : 'lines', ...trend, name, line: { color, dash: name.startsWith('feature') ? 'dash' : 'solid', width: 2 }, marker: { color, size: 6 } };
    });
    return { data, layout: { xaxis: { title: { text: xTitle } }, yaxis: { title: { text: 'weight' }, rangemode: 'tozero' } } };
  }
  const rows = entries.length;
  const gap = 0.06;
  const height = (1 - gap * (rows - 1)) / rows;
  const layout: Record<string, unknown> = { showlegend: false, height: 140 + 130 * rows, grid: { rows, columns: 1 } };
  const data = entries.map(([name, points], i): Data => {
    const axis = i === 0 ? '' : String(i + 1);
    const top = 1 - i * (height + gap);
    layout[`yaxis${axis}`] = { domain: [top - height, top], title: { text: name }, rangemode: 'tozero' };
    layout[`xaxis${axis}`] = { anchor: `y${axis}`, matches: i === 0 ? undefined : 'x', showticklabels: i === rows - 1, ...(i === rows - 1 ? { title: { text: xTitle } } : {}) };
    const color = DIAGNOSTIC_COLOURS[i % DIAGNOSTIC_COLOURS.length];
    return { type: 'scatter', mode: 'lines+markers', ...thinSeries(points.x, points.y), name, xaxis: `x${axis}`, yaxis: `y${axis}`, line: { color, width: 2 }, marker: { color, size: 4 } };
  });
  return { data, layout: layout as Partial<Layout> };
}

/**
 * A finished run's diagnostics as series over its epochs (x = epoch): what "Inside the method" draws for a
 * saved or imported run, which keeps epoch means only. The student's rows, in epoch order; a stage starts its
 * epochs again from 1, so a multi-stage run counts on across stages.
 */
export function epochDiagnosticSeries(epochs: readonly EpochMetrics[], learner = 'student'): PointSeries {
  const series: PointSeries = {};
  epochs.filter((m) => m.learner === learner).forEach((m, i) => {
    for (const [name, value] of Object.entries(m.diagnostics)) {
      const points = (series[name] ??= { x: [], y: [] });
      points.x.push(i + 1);
      points.y.push(value);
    }
  });
  return series;
}
