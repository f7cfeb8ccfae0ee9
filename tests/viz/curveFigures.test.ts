import { describe, expect, it } from 'vitest';
import { diagnosticFigure, epochDiagnosticSeries, lossTraces, MAX_TRACE_POINTS, smooth, thinSeries } from '../../src/viz/curveFigures';

const points = (...y: number[]) => ({ x: y.map((_, i) => (i + 1) * 16), y });

describe('diagnosticFigure', () => {
  it('puts teacher weights on one axis, coloured by teacher', () => {
    const { data, layout } = diagnosticFigure({ 'logit weight teacher1': points(0.5, 0.6), 'logit weight teacher2': points(0.5, 0.4) });
    expect(data).toHaveLength(2);
    expect(data.map((d) => (d as { yaxis?: string }).yaxis)).toEqual([undefined, undefined]);
    expect((data[0] as { line: { color: string } }).line.color).not.toBe((data[1] as { line: { color: string } }).line.color);
    expect(layout.yaxis?.title).toEqual({ text: 'weight' });
  });

  it('gives each other diagnostic its own row and axis, since their scales differ', () => {
    const { data, layout } = diagnosticFigure({ selected: points(0.6, 0.7), 'generator loss': points(160, 150) });
    expect(data.map((d) => (d as { yaxis?: string }).yaxis)).toEqual(['y', 'y2']);
    const l = layout as Record<string, { domain?: number[]; title?: { text: string } }>;
    expect(l.yaxis?.title?.text).toBe('selected');
    expect(l.yaxis2?.title?.text).toBe('generator loss');
    // Rows do not overlap and stay inside the figure.
    const [a0, a1] = l.yaxis!.domain!;
    const [b0, b1] = l.yaxis2!.domain!;
    expect(b1).toBeLessThan(a0!);
    expect(Math.min(a0!, b0!)).toBeGreaterThanOrEqual(-1e-9);
    expect(Math.max(a1!, b1!)).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('smooth', () => {
  it('is an exponential moving average starting at the first value', () => {
    expect(smooth([2, 2, 2])).toEqual([2, 2, 2]);
    expect(smooth([0, 10], 0.5)).toEqual([0, 5]);
  });
});

describe('thinSeries', () => {
  const long = (n: number) => ({ x: Array.from({ length: n }, (_, i) => 16 * (i + 1)), y: Array.from({ length: n }, (_, i) => 2 * Math.exp(-i / 500) + 0.1 * Math.sin(i)) });

  it('leaves a short series as it is', () => {
    expect(thinSeries([1, 2, 3], [5, 4, 6], 10)).toEqual({ x: [1, 2, 3], y: [5, 4, 6] });
  });

  it('keeps at most maxPoints, in x order, with the extremes and both ends', () => {
    const { x, y } = long(10_000);
    y[4321] = 9; // a spike
    y[7000] = -1;
    const thin = thinSeries(x, y, 600);
    expect(thin.x.length).toBeLessThanOrEqual(600);
    expect(thin.x.length).toBeGreaterThan(500);
    expect(thin.x.every((v, i) => i === 0 || v > thin.x[i - 1]!)).toBe(true);
    expect(Math.max(...thin.y)).toBe(9);
    expect(Math.min(...thin.y)).toBe(-1);
    expect(thin.x[0]).toBe(x[0]);
    expect(thin.x.at(-1)).toBe(x.at(-1));
    // Every kept point is a real point of the series.
    thin.x.forEach((v, i) => expect(y[v / 16 - 1]).toBe(thin.y[i]));
  });

  const learners = [{ key: 'student', role: 'student', label: 'KD student', model: 'tiny-cnn', method: 'kd' }] as const;

  it('bounds what a long run hands to Plotly for the loss chart', () => {
    const traces = lossTraces(learners, { student: long(20_000) }) as { x: number[] }[];
    expect(traces).toHaveLength(2);
    for (const trace of traces) expect(trace.x.length).toBeLessThanOrEqual(MAX_TRACE_POINTS);
  });

  it('marks a curve of one batch, which a line alone would not draw', () => {
    const [, oneBatch] = lossTraces(learners, { student: { x: [64], y: [2.3] } }) as { mode: string }[];
    expect(oneBatch!.mode).toBe('markers');
    const [, twoBatches] = lossTraces(learners, { student: { x: [64, 128], y: [2.3, 2.2] } }) as { mode: string }[];
    expect(twoBatches!.mode).toBe('lines');
  });
});

describe('epochDiagnosticSeries', () => {
  const epoch = (learner: string, n: number, diagnostics: Record<string, number>, stage?: string) => ({ learner, epoch: n, lr: 0.1, trainLoss: 1, terms: {}, diagnostics, trainAccuracy: 0, testAccuracy: 0, testNll: 1, ece: 0, seconds: 0, ...(stage ? { stage } : {}) });

  it('draws the student\u2019s epoch means over its epochs, counting on across stages, and nothing of the other learners', () => {
    const series = epochDiagnosticSeries([
      epoch('teacher0', 1, {}),
      epoch('student', 1, { triplets: 10 }, 'embedding'),
      epoch('scratch', 1, { triplets: 99 }),
      epoch('student', 2, { triplets: 12 }, 'embedding'),
      epoch('student', 1, { 'NCM accuracy': 0.4 }, 'classifier'),
    ]);
    expect(series).toEqual({ triplets: { x: [1, 2], y: [10, 12] }, 'NCM accuracy': { x: [3], y: [0.4] } });
    expect(diagnosticFigure(series, true).layout).toMatchObject({ xaxis2: { title: { text: 'epoch' } } });
    const weights = diagnosticFigure({ 'logit weight teacher1': { x: [1], y: [0.4] } }, true);
    expect(weights.data[0]).toMatchObject({ mode: 'lines+markers', x: [1], y: [0.4] }); // one epoch is still a visible point
    expect(weights.layout).toMatchObject({ xaxis: { title: { text: 'epoch' } } });
  });
});
