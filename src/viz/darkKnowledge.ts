/**
 * The dark-knowledge panel's numbers and traces (pure): for one test image, the softened distributions
 * softmax(z / T) of the first teacher, the distilled student and the scratch baseline next to the one-hot
 * label, their entropies, and the teacher's "dark knowledge" (the probability it leaves to other classes).
 */
import type { Data, Layout, PatternShape } from 'plotly.js-dist-min';
import { softmaxRows } from '../core/metrics';
import { csvText } from '../ui/csv';
import type { LearnerRole, ModelResult } from '../contract/protocol';
import { ROLE_STYLE } from './palette';

/** The temperature slider's range; 4 is a common distillation temperature. */
export const TEMPERATURE = { min: 0.5, max: 20, step: 0.5, initial: 4 } as const;
/** Thumbnails in the strip, and the most classes drawn as bars (the table always lists every class). */
export const STRIP_LENGTH = 8;
export const MAX_BAR_CLASSES = 20;

/** The roles compared, in the order they are shown. */
const ROLES: readonly LearnerRole[] = ['teacher', 'student', 'scratch'];
/** A fill pattern per role, after its line dash, so the bars stay apart in greyscale too. */
const PATTERN: Readonly<Record<'solid' | 'dot' | 'dash', PatternShape>> = { solid: '', dot: '.', dash: '/' };

export interface ComparedModel {
  readonly role: LearnerRole;
  readonly result: ModelResult;
}

export interface Softened {
  readonly role: LearnerRole;
  readonly key: string;
  readonly label: string;
  /** softmax(z / T) of the image's logits. */
  readonly probs: Float32Array;
  readonly entropyBits: number;
  /** 1 − p(top class): the share of probability on the other classes. */
  readonly darkShare: number;
}

export interface DarkKnowledgeView {
  readonly index: number;
  readonly label: number;
  readonly temperature: number;
  readonly numClasses: number;
  readonly models: readonly Softened[];
}

/** Whether `result` holds whole rows of `numClasses` logits, one per label. */
export function fitsClasses(result: ModelResult, numClasses: number): boolean {
  return numClasses > 0 && result.testLabels.length > 0 && result.testLogits.length === result.testLabels.length * numClasses;
}

/** The first teacher, the distilled student and the scratch baseline, those present (and fitting), in that order. */
export function comparedModels(results: readonly ModelResult[], numClasses: number): ComparedModel[] {
  return ROLES.flatMap((role) => {
    const result = results.find((r) => r.learner.role === role && fitsClasses(r, numClasses));
    return result ? [{ role, result }] : [];
  });
}

/** Test images every compared model covers (and the thumbnails, when there are any). */
export function sharedCount(models: readonly ComparedModel[], imageCount?: number): number {
  return Math.min(...models.map((m) => m.result.testLabels.length), imageCount ?? Infinity);
}

/** softmax(z / T) of row `index` of row-major logits. */
export function softenedRow(logits: Float32Array, numClasses: number, index: number, temperature: number): Float32Array {
  if (!Number.isInteger(index) || index < 0 || (index + 1) * numClasses > logits.length) throw new RangeError(`no row ${index}`);
  return softmaxRows(logits.subarray(index * numClasses, (index + 1) * numClasses), numClasses, temperature);
}

/** Shannon entropy in bits; zero-probability classes add nothing. */
export function entropyBits(probs: ArrayLike<number>): number {
  let h = 0;
  for (let c = 0; c < probs.length; c++) {
    const p = probs[c]!;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

/** 1 − the largest probability. */
export function darkShare(probs: ArrayLike<number>): number {
  let max = 0;
  for (let c = 0; c < probs.length; c++) max = Math.max(max, probs[c]!);
  return 1 - max;
}

/**
 * The image (of the first `count`) whose top two probabilities at T = 1 are closest: where the model is
 * most torn between two classes. The first such image wins ties.
 */
export function mostConfused(logits: Float32Array, numClasses: number, count = logits.length / numClasses): number {
  if (numClasses < 2) return 0;
  const probs = softmaxRows(logits.subarray(0, count * numClasses), numClasses);
  let best = 0;
  let bestGap = Infinity;
  for (let i = 0; i < count; i++) {
    let first = 0;
    let second = 0;
    for (let c = 0; c < numClasses; c++) {
      const p = probs[i * numClasses + c]!;
      if (p > first) [first, second] = [p, first];
      else if (p > second) second = p;
    }
    if (first - second < bestGap) [best, bestGap] = [i, first - second];
  }
  return best;
}

/** The indices of the thumbnail strip: `length` images around `index`, clamped to [0, count). */
export function stripIndices(index: number, count: number, length = STRIP_LENGTH): number[] {
  const start = Math.max(0, Math.min(index - Math.floor((length - 1) / 2), count - length));
  return Array.from({ length: Math.min(length, count) }, (_, i) => start + i);
}

/** Image `index` as every compared model sees it at temperature T; its label is the first model's. */
export function darkKnowledgeView(models: readonly ComparedModel[], numClasses: number, index: number, temperature: number): DarkKnowledgeView {
  const first = models[0];
  if (!first) throw new RangeError('no model to compare');
  return {
    index,
    label: first.result.testLabels[index] ?? 0,
    temperature,
    numClasses,
    models: models.map(({ role, result }) => {
      const probs = softenedRow(result.testLogits, numClasses, index, temperature);
      return { role, key: result.learner.key, label: result.learner.label, probs, entropyBits: entropyBits(probs), darkShare: darkShare(probs) };
    }),
  };
}

/** All classes when there are few; else the true class and those any model gives the most, in class order. */
export function shownClasses(view: DarkKnowledgeView, limit = MAX_BAR_CLASSES): number[] {
  const all = Array.from({ length: view.numClasses }, (_, c) => c);
  if (view.numClasses <= limit) return all;
  const peak = (c: number) => Math.max(...view.models.map((m) => m.probs[c]!));
  const top = all.filter((c) => c !== view.label).sort((a, b) => peak(b) - peak(a) || a - b);
  return [view.label, ...top.slice(0, limit - 1)].sort((a, b) => a - b);
}

function className(classNames: readonly string[], c: number): string {
  return classNames[c] ?? `class ${c}`;
}

/** Grouped bars per class: each model's softened distribution, and the one-hot label as an outlined bar. */
export function darkKnowledgeTraces(view: DarkKnowledgeView, classNames: readonly string[], classes = shownClasses(view)): Data[] {
  const x = classes.map((c) => className(classNames, c));
  const bars: Data[] = view.models.map((m) => {
    const style = ROLE_STYLE[m.role];
    return {
      type: 'bar',
      x,
      y: classes.map((c) => m.probs[c]!),
      name: m.label,
      marker: { color: style.color, pattern: { shape: PATTERN[style.dash], fillmode: 'overlay', fgcolor: '#fff', fgopacity: 0.8, solidity: 0.3 } },
      hovertemplate: '%{fullData.name}: %{y:.4f}<extra></extra>',
    };
  });
  const oneHot: Data = {
    type: 'bar',
    x,
    y: classes.map((c) => (c === view.label ? 1 : 0)),
    name: 'True label (one-hot)',
    marker: { color: 'rgba(0, 0, 0, 0)', line: { color: '#1f2933', width: 2 } },
    hovertemplate: 'one-hot %{y}<extra></extra>',
  };
  return [...bars, oneHot];
}

export function darkKnowledgeLayout(view: DarkKnowledgeView): Partial<Layout> {
  return {
    barmode: 'group',
    bargap: 0.2,
    bargroupgap: 0.05,
    hovermode: 'x unified',
    // Above the plot: long class names on a narrow screen turn upright and would run into a legend below.
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    height: 420,
    margin: { l: 56, r: 16, t: 24, b: 40 },
    xaxis: { title: { text: 'class' }, automargin: true },
    yaxis: { title: { text: `probability at T = ${view.temperature}` }, range: [0, 1.02] },
  };
}

/** One row per class: the image, temperature, one-hot label and each model's probability (columns by role). */
export function darkKnowledgeCsv(view: DarkKnowledgeView, classNames: readonly string[]): string {
  const header = ['image', 'temperature', 'class', 'one_hot', ...view.models.map((m) => `${m.role}_p`)];
  const rows = Array.from({ length: view.numClasses }, (_, c) => [
    view.index, view.temperature, className(classNames, c), c === view.label ? 1 : 0, ...view.models.map((m) => m.probs[c]!.toFixed(6)),
  ]);
  return csvText(header, rows);
}
