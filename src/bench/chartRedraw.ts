/**
 * What one redraw of the live loss chart costs the main thread with the page otherwise idle: the app's own
 * traces, layout and Plotly call, on a chart growing as a run's would. On a machine whose GPU does not
 * share the CPU, this is about what a redraw costs while training; here, the app page's figures show what
 * emulated WebGPU adds.
 */
import { lossTraces, LOSS_LAYOUT } from '../viz/curveFigures';
import { BASE_CONFIG, BASE_LAYOUT, loadPlotly } from '../viz/plotly';
import type { PointSeries } from '../client/curves.svelte';

export interface ChartRedrawTask {
  /** Points added per learner between redraws (a progress message's worth each). */
  readonly pointsPerRedraw: number;
  readonly redraws: number;
}

export interface ChartRedrawResult {
  /** Plotly's first figure in this page (its code not yet run). */
  readonly firstMs: number;
  /** Every later redraw, in order. */
  readonly redrawMs: readonly number[];
}

const LEARNERS = (['teacher', 'scratch', 'student'] as const).map((role, i) => ({ key: `${role}${i}`, role, label: role, model: 'tiny-cnn', method: 'kd' }) as const);

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export async function measureChartRedraw(task: ChartRedrawTask): Promise<ChartRedrawResult> {
  const plotly = await loadPlotly();
  const element = document.createElement('div');
  element.style.cssText = 'width: 600px; height: 340px;';
  document.body.append(element);
  const series: PointSeries = {};
  const times: number[] = [];
  try {
    for (let redraw = 0; redraw <= task.redraws; redraw++) {
      for (const [l, learner] of LEARNERS.entries()) {
        const points = (series[learner.key] ??= { x: [], y: [] });
        for (let p = 0; p < task.pointsPerRedraw; p++) {
          const step = points.x.length;
          points.x.push(step * 16);
          points.y.push(2.3 * Math.exp(-step / 200) + 0.1 * l + 0.05 * Math.sin(step));
        }
      }
      const start = performance.now();
      await plotly.react(element, lossTraces(LEARNERS, series), { ...BASE_LAYOUT, ...LOSS_LAYOUT }, BASE_CONFIG);
      times.push(performance.now() - start);
      await nextFrame(); // let the page paint, as between two progress messages
    }
  } finally {
    plotly.purge(element);
    element.remove();
  }
  return { firstMs: times[0]!, redrawMs: times.slice(1) };
}
