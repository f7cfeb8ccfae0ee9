/**
 * The confusion panel's numbers and figures (pure): one model's confusion matrix on the test subset as a
 * row-normalised heatmap annotated with counts, and every model's per-class accuracy (recall) side by side.
 */
import type { Data, Layout, PatternShape } from 'plotly.js-dist-min';
import { confusionMatrix, perClassAccuracy } from '../core/metrics';
import { csvText } from '../ui/csv';
import type { LearnerRole, ModelResult } from '../contract/protocol';
import { ROLE_STYLE, TEACHER_SHADES } from './palette';

/** Up to this many classes the heatmap cells carry their counts and per-class accuracy is a bar chart. */
export const MAX_ANNOTATED_CLASSES = 20;

/** Single-hue sequential scale (ColorBrewer Blues): light for none of the row, dark for all of it. */
const BLUES: [number, string][] = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'].map((c, i, all) => [i / (all.length - 1), c]);
const PATTERN: Readonly<Record<'solid' | 'dot' | 'dash', PatternShape>> = { solid: '', dot: '.', dash: '/' };

/** Whether `result` holds whole rows of `numClasses` logits, one per label. */
export function fitsClasses(result: ModelResult, numClasses: number): boolean {
  return numClasses > 0 && result.testLabels.length > 0 && result.testLogits.length === result.testLabels.length * numClasses;
}

/** The model the panel opens on: the distilled student if there is one, else the last. */
export function defaultModelKey(results: readonly ModelResult[]): string | undefined {
  return (results.find((r) => r.learner.role === 'student') ?? results.at(-1))?.learner.key;
}

/** Counts of (true class, predicted class) of a model's test predictions, row-major [C, C]. */
export function confusionOf(result: ModelResult, numClasses: number): Int32Array {
  return confusionMatrix(result.testLogits, result.testLabels, numClasses);
}

/** Each row divided by its sum: the share of a true class predicted as each class. A class absent from the labels gives a row of zeros. */
export function rowNormalised(matrix: ArrayLike<number>, numClasses: number): number[][] {
  return Array.from({ length: numClasses }, (_, t) => {
    const row = Array.from({ length: numClasses }, (_, p) => matrix[t * numClasses + p]!);
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

function className(classNames: readonly string[], c: number): string {
  return classNames[c] ?? `class ${c}`;
}

function classLabels(classNames: readonly string[], numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, c) => className(classNames, c));
}

/** The heatmap: rows are true classes (top to bottom), columns predicted; colour by row share, text the counts. */
export function confusionFigure(matrix: ArrayLike<number>, classNames: readonly string[], numClasses = classNames.length): { data: Data[]; layout: Partial<Layout> } {
  const names = classLabels(classNames, numClasses);
  const counts = Array.from({ length: numClasses }, (_, t) => Array.from({ length: numClasses }, (_, p) => matrix[t * numClasses + p]!));
  const annotated = numClasses <= MAX_ANNOTATED_CLASSES;
  const heatmap: Data = {
    type: 'heatmap',
    x: names,
    y: names,
    z: rowNormalised(matrix, numClasses),
    zmin: 0,
    zmax: 1,
    text: counts,
    ...(annotated ? { texttemplate: '%{text}' } : {}),
    colorscale: BLUES,
    colorbar: { title: { text: 'share of row', side: 'right' }, tickformat: '.0%', thickness: 12 },
    xgap: 1,
    ygap: 1,
    hovertemplate: 'true %{y}<br>predicted %{x}<br>%{text} images (%{z:.1%} of the row)<extra></extra>',
  };
  const ticks = numClasses > MAX_ANNOTATED_CLASSES ? { tickfont: { size: 9 } } : {};
  return {
    data: [heatmap],
    layout: {
      hovermode: 'closest',
      height: numClasses > MAX_ANNOTATED_CLASSES ? 720 : 460,
      margin: { l: 56, r: 16, t: 24, b: 56 },
      xaxis: { title: { text: 'predicted class' }, tickangle: -45, automargin: true, ...ticks },
      yaxis: { title: { text: 'true class' }, autorange: 'reversed', automargin: true, ...ticks },
    },
  };
}

export interface PerClassModel {
  readonly key: string;
  readonly label: string;
  readonly role: LearnerRole;
  readonly color: string;
}

export interface PerClass {
  readonly models: readonly PerClassModel[];
  /** Test images of each class (from the first model's labels). */
  readonly support: readonly number[];
  /** accuracy[class][model]: recall; NaN for a class with no test image. */
  readonly accuracy: readonly (readonly number[])[];
}

/** Per-class accuracy of every model that fits the classes, teachers in blues and the students by role. */
export function perClassOf(results: readonly ModelResult[], numClasses: number): PerClass {
  const fitting = results.filter((r) => fitsClasses(r, numClasses));
  let teachers = 0;
  const models = fitting.map(({ learner }) => ({
    key: learner.key,
    label: learner.label,
    role: learner.role,
    color: learner.role === 'teacher' ? TEACHER_SHADES[teachers++ % TEACHER_SHADES.length]! : ROLE_STYLE[learner.role].color,
  }));
  const byModel = fitting.map((r) => perClassAccuracy(r.testLogits, r.testLabels, numClasses));
  const support = new Array<number>(numClasses).fill(0);
  for (const label of fitting[0]?.testLabels ?? []) support[label]!++;
  return { models, support, accuracy: support.map((_, c) => byModel.map((acc) => acc[c]!)) };
}

/** Grouped bars: per class, one bar per model. */
export function perClassTraces(perClass: PerClass, classNames: readonly string[]): Data[] {
  const names = classLabels(classNames, perClass.support.length);
  return perClass.models.map((m, j) => ({
    type: 'bar',
    x: names,
    y: perClass.accuracy.map((row) => (Number.isNaN(row[j]!) ? null : row[j]!)),
    name: m.label,
    marker: { color: m.color, pattern: { shape: PATTERN[ROLE_STYLE[m.role].dash], fillmode: 'overlay', fgcolor: '#fff', fgopacity: 0.8, solidity: 0.3 } },
    hovertemplate: '%{fullData.name}: %{y:.1%}<extra></extra>',
  }));
}

export function perClassLayout(numClasses: number): Partial<Layout> {
  return {
    barmode: 'group',
    hovermode: 'x unified',
    // Above the plot: long class names on a narrow screen turn upright and would run into a legend below.
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    height: 420,
    margin: { l: 56, r: 16, t: 24, b: 40 },
    xaxis: { title: { text: 'class' }, automargin: true },
    yaxis: { title: { text: 'accuracy (recall)' }, range: [0, 1], tickformat: '.0%' },
  };
}

/** The matrix of counts: a row per true class, a column per predicted class. */
export function confusionCsv(matrix: ArrayLike<number>, classNames: readonly string[], numClasses = classNames.length): string {
  const names = classLabels(classNames, numClasses);
  const rows = names.map((name, t) => [name, ...Array.from({ length: numClasses }, (_, p) => matrix[t * numClasses + p]!)]);
  return csvText(['true \\ predicted', ...names], rows);
}

/** A row per class: its test images and each model's accuracy (empty where the class has no image). */
export function perClassCsv(perClass: PerClass, classNames: readonly string[]): string {
  const header = ['class', 'images', ...perClass.models.map((m) => m.label)];
  const rows = perClass.accuracy.map((row, c) => [className(classNames, c), perClass.support[c], ...row.map((a) => (Number.isNaN(a) ? null : a.toFixed(6)))]);
  return csvText(header, rows);
}
