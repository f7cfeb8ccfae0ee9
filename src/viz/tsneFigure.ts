/**
 * The t-SNE panel's pure helpers: option limits and their validation, one scatter trace per class, the
 * per-class centroids of the text alternative, and the CSV export. Layouts are plotted with each axis
 * min-max normalised to [0, 1], as the oracle paper's notebook does before its silhouette, which also
 * keeps the axes still while the animation runs.
 */
import { csvText } from '../ui/csv';
import { minMaxNormalise } from '../core/normalise';
import type { TsneJobOptions } from '../contract/analysisProtocol';
import type { Data, Layout } from './plotly';

export { minMaxNormalise };

/** Okabe-Ito (the colour-blind-safe set every panel uses, see palette.ts) plus grey and wine, for 10 classes. */
export const CLASS_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#000000', '#999999', '#882255'] as const;
/** Past 10 classes colours repeat with a new marker shape, so 100 classes still get distinct (colour, shape) pairs. */
export const CLASS_SYMBOLS = ['circle', 'square', 'diamond', 'triangle-up', 'x', 'triangle-down', 'cross', 'star', 'pentagon', 'hexagon'] as const;

/** The legend is hidden past this many classes (CIFAR-100's would fill the panel); hover still names them. */
export const LEGEND_MAX_CLASSES = 20;

export const TSNE_DEFAULTS: TsneJobOptions = { perplexity: 30, iterations: 1000, earlyExaggeration: 12, seed: 0 };

/** What the panel accepts; the worker itself would take a wider range. */
export const TSNE_LIMITS = {
  perplexity: { min: 2, max: 100, integer: false, label: 'Perplexity' },
  iterations: { min: 250, max: 2000, integer: true, label: 'Iterations' },
  earlyExaggeration: { min: 1, max: 50, integer: false, label: 'Early exaggeration' },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true, label: 'Seed' },
} as const satisfies Record<keyof TsneJobOptions, { min: number; max: number; integer: boolean; label: string }>;

export type TsneOptionInput = { readonly [K in keyof TsneJobOptions]: number | null | undefined };

/** One message per field that is out of range or not a number (an empty number input gives null). */
export function tsneOptionErrors(values: TsneOptionInput): Partial<Record<keyof TsneJobOptions, string>> {
  const errors: Partial<Record<keyof TsneJobOptions, string>> = {};
  for (const key of Object.keys(TSNE_LIMITS) as (keyof TsneJobOptions)[]) {
    const { min, max, integer, label } = TSNE_LIMITS[key];
    const value = values[key];
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
    if (!ok) errors[key] = `${label} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`;
  }
  return errors;
}

export function className(classNames: readonly string[], label: number): string {
  return classNames[label] ?? `class ${label}`;
}

export function classStyle(label: number): { color: string; symbol: (typeof CLASS_SYMBOLS)[number] } {
  const colours = CLASS_COLOURS.length;
  return { color: CLASS_COLOURS[label % colours]!, symbol: CLASS_SYMBOLS[Math.floor(label / colours) % CLASS_SYMBOLS.length]! };
}

/** Point indices per distinct label, labels ascending. */
function indicesByLabel(labels: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const group = groups.get(label);
    if (group) group.push(i);
    else groups.set(label, [i]);
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

function checkLayout(xy: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (xy.length !== 2 * labels.length) throw new RangeError(`${xy.length / 2} embedded points but ${labels.length} labels`);
}

/**
 * Past this many points a layout is drawn with WebGL where the browser has it. Below, SVG costs about as
 * much per frame (~100 ms for 600 points on a 2-core machine with a software renderer) and spares the CPU
 * that software WebGL would take from the t-SNE worker; above, SVG grows to ~450 ms at 5000 points, WebGL
 * stays near 50 ms.
 */
export const WEBGL_MIN_POINTS = 1500;

/**
 * One marker trace per class present, for a 2-D layout `xy` (x, y per point). Each point carries its index
 * as customdata, so a hover handler can show that point's image. `webgl: true` allows scattergl for large sets.
 */
export function tsneTraces(xy: ArrayLike<number>, labels: ArrayLike<number>, classNames: readonly string[], { webgl = false } = {}): Data[] {
  checkLayout(xy, labels);
  const type = webgl && labels.length > WEBGL_MIN_POINTS ? 'scattergl' : 'scatter';
  return [...indicesByLabel(labels)].map(([label, indices]) => {
    const name = className(classNames, label);
    const { color, symbol } = classStyle(label);
    return {
      type,
      mode: 'markers',
      name,
      x: indices.map((i) => xy[2 * i]!),
      y: indices.map((i) => xy[2 * i + 1]!),
      customdata: indices,
      text: indices.map((i) => `${name} #${i}`),
      hovertemplate: '%{text}<extra></extra>',
      marker: { color, symbol, size: labels.length > 1000 ? 4 : 6, opacity: 0.8 },
    } satisfies Data;
  });
}

/**
 * Axes fixed to the normalised square, untitled and unticked (t-SNE's axes have no meaning); `uirevision`
 * keeps the reader's zoom across animation frames.
 */
export function tsneLayout(classCount: number): Partial<Layout> {
  const axis = { range: [-0.04, 1.04] as [number, number], zeroline: false, showticklabels: false, ticks: '' as const };
  const showlegend = classCount <= LEGEND_MAX_CLASSES;
  return {
    hovermode: 'closest',
    showlegend,
    uirevision: 'tsne',
    margin: { l: 8, r: 8, t: 8, b: showlegend ? 96 : 8 },
    xaxis: axis,
    yaxis: axis,
    legend: { orientation: 'h', x: 0, y: -0.03, yanchor: 'top' },
  };
}

export interface ClassCentroid {
  readonly label: number;
  readonly name: string;
  readonly count: number;
  readonly x: number;
  readonly y: number;
}

/** Mean position and size of each class present in a 2-D layout, labels ascending: the chart's text alternative. */
export function classCentroids(xy: ArrayLike<number>, labels: ArrayLike<number>, classNames: readonly string[]): ClassCentroid[] {
  checkLayout(xy, labels);
  return [...indicesByLabel(labels)].map(([label, indices]) => {
    let x = 0;
    let y = 0;
    for (const i of indices) {
      x += xy[2 * i]!;
      y += xy[2 * i + 1]!;
    }
    return { label, name: className(classNames, label), count: indices.length, x: x / indices.length, y: y / indices.length };
  });
}

/** One row per point, in input order: its (x, y) in the layout, label and class name. */
export function tsneCsv(xy: ArrayLike<number>, labels: ArrayLike<number>, classNames: readonly string[]): string {
  checkLayout(xy, labels);
  const rows = Array.from(labels, (label, i) => [xy[2 * i]!.toFixed(6), xy[2 * i + 1]!.toFixed(6), label, className(classNames, label)]);
  return csvText(['x', 'y', 'label', 'class'], rows);
}
