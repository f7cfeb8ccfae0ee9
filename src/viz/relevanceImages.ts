/**
 * Pictures and numbers of the relevance panels: the signed relevance map on a diverging, colour-blind-safe
 * scale (ColorBrewer RdBu reversed: negative blue, 0 white, positive red), symmetric around 0 with the
 * image's own max |R|, its colour bar, a prediction's top classes, and the table as CSV. Everything here is
 * DOM-free except `paintRgba` (a Svelte action) and `composeGrid` (the PNG export), which only run in the page.
 */
import { csvText } from '../ui/csv';
import { METHOD_CATALOG, RELEVANCE_RULES } from '../contract/methodCatalog';
import type { ModelPrediction, RelevanceItem } from '../contract/inspection';

/** The oracle's γ range and default, as in the method's parameters. */
export const GAMMA = METHOD_CATALOG.oracle.params.find((p) => p.key === 'gamma') ?? { min: 0, max: 20, step: 0.1, default: 0.2 };
export { RELEVANCE_RULES };

/** The panels' default model: the first teacher of the run, else the first model. */
export const defaultModelKey = (models: readonly { key: string }[]): string => (models.find((m) => m.key.startsWith('teacher')) ?? models[0])?.key ?? '';

/** A readable message from whatever a rejected promise gave. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'Something went wrong.';

export type Rgb = readonly [number, number, number];

/** RdBu (11 classes) from most negative to most positive, with a pure white centre for R = 0. */
export const DIVERGING_STOPS: readonly Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [255, 255, 255],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** The colour of t ∈ [−1, 1] (clamped; NaN counts as 0). */
export function divergingColor(t: number, stops: readonly Rgb[] = DIVERGING_STOPS): Rgb {
  const u = Number.isNaN(t) ? 0 : Math.min(1, Math.max(-1, t));
  const pos = ((u + 1) / 2) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** The largest finite |R| of a map (0 for an all-zero or empty map): the colour scale's end. */
export function maxAbsRelevance(relevance: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < relevance.length; i++) {
    const a = Math.abs(relevance[i]!);
    if (Number.isFinite(a) && a > max) max = a;
  }
  return max;
}

/** Sums of the positive and of the negative relevance (non-finite values skipped). */
export function relevanceSums(relevance: ArrayLike<number>): { positive: number; negative: number } {
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < relevance.length; i++) {
    const r = relevance[i]!;
    if (!Number.isFinite(r)) continue;
    if (r > 0) positive += r;
    else negative += r;
  }
  return { positive, negative };
}

/** A size × size relevance map as opaque RGBA, scaled to ±(its max |R|); all zeros are white. */
export function relevanceToRgba(relevance: Float32Array, size: number, stops: readonly Rgb[] = DIVERGING_STOPS): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  const max = maxAbsRelevance(relevance);
  for (let p = 0; p < size * size; p++) {
    const r = relevance[p] ?? 0;
    const [red, green, blue] = divergingColor(max > 0 && !Number.isNaN(r) ? r / max : 0, stops);
    out.set([red, green, blue, 255], p * 4);
  }
  return out;
}

/** A horizontal colour bar, −max on the left, 0 in the middle, +max on the right, as RGBA. */
export function colourBarRgba(width: number, height: number, stops: readonly Rgb[] = DIVERGING_STOPS): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let x = 0; x < width; x++) {
    const [r, g, b] = divergingColor(width > 1 ? (2 * x) / (width - 1) - 1 : 0, stops);
    for (let y = 0; y < height; y++) out.set([r, g, b, 255], (y * width + x) * 4);
  }
  return out;
}

export interface TopClass {
  readonly index: number;
  readonly p: number;
}

/** The k most probable classes, most probable first; ties go to the lower class index, NaN ranks last. */
export function topClasses(probs: ArrayLike<number>, k: number): TopClass[] {
  const all = Array.from({ length: probs.length }, (_, index) => ({ index, p: probs[index]! }));
  const rank = (p: number) => (Number.isNaN(p) ? -Infinity : p);
  all.sort((a, b) => rank(b.p) - rank(a.p) || a.index - b.index);
  return all.slice(0, Math.max(0, k));
}

export const className = (classNames: readonly string[], index: number): string => classNames[index] ?? `class ${index}`;

/** The image side of an item (its RGBA is size × size × 4). */
export const itemSize = (item: RelevanceItem): number => Math.round(Math.sqrt(item.x.length / 4));

/** Short relevance-scale label (it sits under an 80 px map): 2 significant digits, exponent form when tiny or huge. */
export const formatRelevance = (value: number): string => {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude < 0.01 || magnitude >= 1000 ? value.toExponential(1) : Number(value.toPrecision(2)).toString();
};

/** One row of the panel's table (and CSV). */
export interface RelevanceRow {
  readonly index: number;
  readonly trueClass: string;
  readonly topX: { readonly name: string; readonly p: number } | null;
  readonly topXStar: { readonly name: string; readonly p: number } | null;
  readonly positive: number;
  readonly negative: number;
}

const top1 = (probs: readonly number[] | undefined, classNames: readonly string[]) => {
  const best = probs ? topClasses(probs, 1)[0] : undefined;
  return best ? { name: className(classNames, best.index), p: best.p } : null;
};

/** The inspected model's prediction of an item (falls back to the first one). */
export const predictionOf = (item: RelevanceItem, model: string): ModelPrediction | undefined => item.predictions.find((p) => p.model === model) ?? item.predictions[0];

export function relevanceRows(items: readonly RelevanceItem[], indices: readonly number[], model: string, classNames: readonly string[]): RelevanceRow[] {
  return items.map((item, i) => {
    const prediction = predictionOf(item, model);
    return {
      index: indices[i] ?? i,
      trueClass: className(classNames, item.target),
      topX: top1(prediction?.onX, classNames),
      topXStar: top1(prediction?.onXStar, classNames),
      ...relevanceSums(item.relevance),
    };
  });
}

/** The table as CSV, a line per image; an unknown prediction leaves its cells empty. */
export function relevanceCsv(rows: readonly RelevanceRow[]): string {
  const header = ['image', 'true_class', 'top_class_x', 'confidence_x', 'top_class_xstar', 'confidence_xstar', 'relevance_positive', 'relevance_negative'];
  const lines = rows.map((r) => [
    r.index,
    r.trueClass,
    r.topX?.name,
    r.topX?.p.toFixed(6),
    r.topXStar?.name,
    r.topXStar?.p.toFixed(6),
    r.positive.toFixed(6),
    r.negative.toFixed(6),
  ]);
  return csvText(header, lines);
}

/** How many test images the panel shows at most at once. */
export const MAX_IMAGES = 12;

/** The `count` test images after the largest shown one, wrapping around the test subset. */
export function nextIndices(current: readonly number[], testCount: number, count = 6): number[] {
  if (testCount <= 0) return [];
  const start = current.length > 0 ? (Math.max(...current) + 1) % testCount : 0;
  return Array.from({ length: Math.min(count, testCount) }, (_, i) => (start + i) % testCount);
}

/** Typed image indices ("3, 17 42"), checked against the test subset; duplicates dropped. */
export function parseIndices(text: string, testCount: number): { indices: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter((s) => s !== '');
  if (parts.length === 0) return { error: 'Type at least one image index.' };
  const indices: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d+$/.test(part) || n >= testCount) return { error: `“${part}” is not an image index: use whole numbers from 0 to ${testCount - 1}.` };
    if (!indices.includes(n)) indices.push(n);
  }
  if (indices.length > MAX_IMAGES) return { error: `At most ${MAX_IMAGES} images at once.` };
  return { indices };
}

/* ---------- Page-only drawing ---------- */

function putRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number) {
  canvas.width = width;
  canvas.height = height;
  if (rgba.length >= width * height * 4) canvas.getContext('2d')?.putImageData(new ImageData(rgba.slice(0, width * height * 4), width, height), 0, 0);
}

export interface PaintParams {
  readonly rgba: Uint8ClampedArray;
  readonly width: number;
  readonly height?: number;
}

/** Svelte action: draws RGBA on a canvas at its own resolution (CSS scales it up, pixelated). */
export function paintRgba(canvas: HTMLCanvasElement, params: PaintParams) {
  const draw = (p: PaintParams) => putRgba(canvas, p.rgba, p.width, p.height ?? p.width);
  draw(params);
  return { update: draw };
}

export interface GridImage {
  readonly caption: string;
  readonly rgba: Uint8ClampedArray;
  readonly size: number;
  /** For a relevance map: its max |R|, drawn as a colour bar under it. */
  readonly barMax?: number;
}
export interface GridRow {
  readonly heading: string;
  readonly images: readonly GridImage[];
  readonly lines: readonly string[];
}

/** Composes rows of pictures and text into one canvas, for the PNG export. */
export function composeGrid(title: string, rows: readonly GridRow[], scale = 3): HTMLCanvasElement {
  const pad = 12;
  const gap = 12;
  const textWidth = 360;
  const lineHeight = 15;
  const cell = Math.max(...rows.flatMap((r) => r.images.map((im) => im.size)), 32) * scale;
  const columns = Math.max(...rows.map((r) => r.images.length), 1);
  const rowHeight = (r: GridRow) => 18 + Math.max(cell + 44, r.lines.length * lineHeight) + gap;
  const canvas = document.createElement('canvas');
  canvas.width = pad * 2 + columns * (cell + gap) + textWidth;
  canvas.height = pad * 2 + 24 + rows.reduce((sum, r) => sum + rowHeight(r), 0);
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#1f2933';
  ctx.textBaseline = 'top';
  ctx.font = '600 15px system-ui, sans-serif';
  ctx.fillText(title, pad, pad);
  const tile = document.createElement('canvas');
  let y = pad + 24;
  for (const row of rows) {
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillStyle = '#1f2933';
    ctx.fillText(row.heading, pad, y);
    const top = y + 18;
    row.images.forEach((image, i) => {
      const x = pad + i * (cell + gap);
      putRgba(tile, image.rgba, image.size, image.size);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, 0, 0, image.size, image.size, x, top, cell, cell);
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillStyle = '#5f6b7a';
      ctx.fillText(image.caption, x, top + cell + 2);
      if (image.barMax !== undefined) {
        putRgba(tile, colourBarRgba(64, 1), 64, 1);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(tile, 0, 0, 64, 1, x, top + cell + 17, cell, 7);
        const label = formatRelevance(image.barMax);
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(`−${label}`, x, top + cell + 26);
        ctx.fillText(`+${label}`, x + cell - ctx.measureText(`+${label}`).width, top + cell + 26);
      }
    });
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#1f2933';
    row.lines.forEach((line, i) => ctx.fillText(line, pad + columns * (cell + gap), top + i * lineHeight));
    y += rowHeight(row);
  }
  return canvas;
}

/** Downloads a canvas as a PNG file. */
export function downloadCanvasPng(canvas: HTMLCanvasElement, filename: string): void {
  canvas.toBlob((blob) => {
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    Object.assign(document.createElement('a'), { href: url, download: filename }).click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }, 'image/png');
}
