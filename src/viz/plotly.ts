/** Plotly, loaded lazily: the page opens without it and each panel pulls it in when it first draws. */
import type PlotlyDefault from 'plotly.js-dist-min';
import type * as PlotlyTypes from 'plotly.js-dist-min';

export type Plotly = typeof PlotlyDefault;
export type { Data, Layout, Config } from 'plotly.js-dist-min';

let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import('plotly.js-dist-min').then((module) => module.default);
  return loading;
}

/** Layout defaults shared by every chart. */
export const BASE_LAYOUT = {
  margin: { l: 56, r: 16, t: 36, b: 96 },
  font: { family: 'system-ui, sans-serif', size: 12, color: '#1f2933' },
  paper_bgcolor: 'rgba(0,0,0,0)',
  plot_bgcolor: '#fff',
  // Below the x-axis title, never on it.
  legend: { orientation: 'h' as const, x: 0, y: -0.32, yanchor: 'top' as const },
  hovermode: 'x unified' as const,
} satisfies Partial<PlotlyTypes.Layout>;

export const BASE_CONFIG = { responsive: true, displaylogo: false } satisfies Partial<PlotlyTypes.Config>;
