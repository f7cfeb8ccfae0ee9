import { describe, expect, it } from 'vitest';
import {
  CLASS_COLOURS,
  classCentroids,
  classStyle,
  LEGEND_MAX_CLASSES,
  minMaxNormalise,
  TSNE_DEFAULTS,
  tsneCsv,
  tsneLayout,
  tsneOptionErrors,
  tsneTraces,
  WEBGL_MIN_POINTS,
} from '../../src/viz/tsneFigure';

// Four points: (0, 10), (1, 20), (2, 30), (4, 50) with labels 1, 0, 1, 0.
const xy = Float32Array.from([0, 10, 1, 20, 2, 30, 4, 50]);
const labels = Int32Array.from([1, 0, 1, 0]);
const names = ['cat', 'dog'];

describe('min-max normalisation', () => {
  it('maps all values together to [0, 1] by default, as the worker does to the logits', () => {
    expect([...minMaxNormalise([2, 4, 6, 10])]).toEqual([0, 0.25, 0.5, 1]);
  });

  it('normalises each column on its own, as the plotted layout is', () => {
    const out = minMaxNormalise(xy, 2);
    expect([...out.filter((_, i) => i % 2 === 0)]).toEqual([0, 0.25, 0.5, 1]);
    expect([...out.filter((_, i) => i % 2 === 1)]).toEqual([0, 0.25, 0.5, 1]);
  });

  it('maps a constant column to 0 instead of dividing by zero', () => {
    expect([...minMaxNormalise([3, 1, 3, 2], 2)]).toEqual([0, 0, 0, 1]);
  });
});

describe('option validation', () => {
  it('accepts the defaults and the range ends', () => {
    expect(tsneOptionErrors(TSNE_DEFAULTS)).toEqual({});
    expect(tsneOptionErrors({ perplexity: 2, iterations: 2000, earlyExaggeration: 50, seed: 0 })).toEqual({});
  });

  it('names each bad field: out of range, fractional where whole, empty', () => {
    const errors = tsneOptionErrors({ perplexity: 1, iterations: 300.5, earlyExaggeration: null, seed: -1 });
    expect(Object.keys(errors).sort()).toEqual(['earlyExaggeration', 'iterations', 'perplexity', 'seed']);
    expect(errors.perplexity).toBe('Perplexity must be a number from 2 to 100.');
    expect(errors.iterations).toBe('Iterations must be a whole number from 250 to 2000.');
    expect(tsneOptionErrors({ ...TSNE_DEFAULTS, perplexity: Number.NaN }).perplexity).toMatch(/Perplexity/);
  });
});

describe('scatter traces', () => {
  it('draws one trace per class present, named and coloured by class, with point indices for hover', () => {
    const traces = tsneTraces(xy, labels, names) as Array<Record<string, unknown>>;
    expect(traces.map((t) => t.name)).toEqual(['cat', 'dog']);
    expect(traces[0]).toMatchObject({ type: 'scatter', mode: 'markers', x: [1, 4], y: [20, 50], customdata: [1, 3], text: ['cat #1', 'cat #3'] });
    expect(traces[1]).toMatchObject({ x: [0, 2], y: [10, 30], customdata: [0, 2] });
    expect((traces[0]!.marker as { color: string }).color).toBe(CLASS_COLOURS[0]);
    expect((traces[1]!.marker as { color: string }).color).toBe(CLASS_COLOURS[1]);
  });

  it('falls back to "class k" past the known names', () => {
    expect(tsneTraces([0.5, 0.5], [5], names)).toMatchObject([{ name: 'class 5' }]);
  });

  it('draws large sets with WebGL, when the browser has it', () => {
    const typeOf = (n: number, webgl: boolean) => (tsneTraces(new Float32Array(2 * n), new Int32Array(n), names, { webgl })[0] as { type: string }).type;
    expect(typeOf(WEBGL_MIN_POINTS + 1, true)).toBe('scattergl');
    expect(typeOf(WEBGL_MIN_POINTS + 1, false)).toBe('scatter');
    expect(typeOf(WEBGL_MIN_POINTS, true)).toBe('scatter');
  });

  it('gives 100 classes 100 distinct (colour, shape) pairs', () => {
    const styles = new Set(Array.from({ length: 100 }, (_, label) => JSON.stringify(classStyle(label))));
    expect(styles.size).toBe(100);
  });

  it('rejects a layout whose size does not match the labels', () => {
    expect(() => tsneTraces(xy, labels.subarray(1), names)).toThrow(/4 embedded points but 3 labels/);
  });

  it('hides the legend only for many classes', () => {
    expect(tsneLayout(10).showlegend).toBe(true);
    expect(tsneLayout(LEGEND_MAX_CLASSES + 1).showlegend).toBe(false);
  });
});

describe('text alternative and export', () => {
  it('gives each class its count and mean position', () => {
    expect(classCentroids(xy, labels, names)).toEqual([
      { label: 0, name: 'cat', count: 2, x: 2.5, y: 35 },
      { label: 1, name: 'dog', count: 2, x: 1, y: 20 },
    ]);
  });

  it('writes one CSV row per point in input order, quoting names that need it', () => {
    const csv = tsneCsv(xy, labels, ['cat', 'dog, big']).trimEnd().split('\n');
    expect(csv).toEqual([
      'x,y,label,class',
      '0.000000,10.000000,1,"dog, big"',
      '1.000000,20.000000,0,cat',
      '2.000000,30.000000,1,"dog, big"',
      '4.000000,50.000000,0,cat',
    ]);
  });
});
