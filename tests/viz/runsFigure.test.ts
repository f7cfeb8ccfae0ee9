import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import type { SavedLearner, SavedResult, SavedRun } from '../../src/storage/page/runStore';
import type { EpochMetrics } from '../../src/contract/protocol';
import { RUN_COLOURS, runTableRow, runsCompareLayout, runsCompareTraces, runsCsv } from '../../src/viz/runsFigure';

const LEARNERS: SavedLearner[] = [
  { key: 'teacher0', role: 'teacher', label: 'Teacher', model: 'resnet8', method: 'scratch' },
  { key: 'scratch', role: 'scratch', label: 'Scratch student', model: 'tiny-cnn', method: 'scratch' },
  { key: 'student', role: 'student', label: 'KD student', model: 'tiny-cnn', method: 'kd' },
];

function epoch(learner: string, n: number, testAccuracy: number): EpochMetrics {
  return { learner, epoch: n, lr: 0.05, trainLoss: 1, terms: {}, diagnostics: {}, trainAccuracy: 0.5, testAccuracy, testNll: 1, ece: 0.05, seconds: n };
}

function result(key: string, role: SavedResult['role'], best: number, last: number): SavedResult {
  return { key, role, label: key, bestAccuracy: best, bestEpoch: 2, lastAccuracy: last, ece: 0.0312, nll: 1, epochs: 2, reused: false };
}

function run(id: string, name: string, config: Partial<RunConfig> = {}): SavedRun {
  const learners = config.method === 'scratch' ? LEARNERS.slice(0, 2) : LEARNERS;
  return {
    id,
    name,
    config: { ...DEFAULT_CONFIG, epochs: 2, ...config },
    finishedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    seconds: 42.25,
    backend: 'webgpu',
    adapter: 'Acme GPU',
    stopped: false,
    learners,
    // Out of order on purpose: the curves sort by epoch.
    epochs: learners.flatMap((l) => [epoch(l.key, 2, 0.5), epoch(l.key, 1, 0.3)]),
    results: learners.map((l) => result(l.key, l.role, 0.52, 0.5)),
  };
}

describe('runs comparison figure', () => {
  it('draws each run\u2019s distilled student solid and scratch baseline dashed, in one colour per run', () => {
    const traces = runsCompareTraces([run('a', 'first'), run('b', 'second')]) as Array<Record<string, any>>;
    expect(traces).toHaveLength(4);
    expect(traces.map((t) => t.name)).toEqual(['first \u00b7 distilled', 'first \u00b7 scratch', 'second \u00b7 distilled', 'second \u00b7 scratch']);
    expect(traces[0]!.x).toEqual([1, 2]);
    expect(traces[0]!.y).toEqual([30, 50]);
    expect(traces[0]!.line).toMatchObject({ color: RUN_COLOURS[0], dash: 'solid' });
    expect(traces[1]!.line).toMatchObject({ color: RUN_COLOURS[0], dash: 'dash' });
    expect(traces[2]!.line.color).toBe(RUN_COLOURS[1]);
    expect(traces[2]!.legendgroup).toBe('b');
  });

  it('a scratch-only run has only its baseline, and no runs draw nothing', () => {
    const traces = runsCompareTraces([run('s', 'only scratch', { method: 'scratch' })]) as Array<Record<string, any>>;
    expect(traces.map((t) => t.name)).toEqual(['only scratch \u00b7 scratch']);
    expect(runsCompareTraces([])).toEqual([]);
  });

  it('ticks whole epochs while they fit', () => {
    expect(runsCompareLayout([run('a', 'first')]).xaxis).toMatchObject({ tick0: 1, dtick: 1 });
    const long = { ...run('b', 'long'), epochs: [epoch('student', 40, 0.6)] };
    expect(runsCompareLayout([long]).xaxis).not.toHaveProperty('dtick');
  });

  it('grows with the legend, a row of entries for every two runs, so the plot keeps its height', () => {
    const heightOf = (count: number) => runsCompareLayout(Array.from({ length: count }, (_, i) => run(`r${i}`, `run ${i}`))).height!;
    expect(heightOf(1)).toBe(heightOf(2));
    expect(heightOf(3)).toBeGreaterThan(heightOf(2));
    expect(heightOf(6) - heightOf(2)).toBe(2 * (heightOf(3) - heightOf(2)));
  });
});

describe('runs table', () => {
  it('summarises a run for the table', () => {
    const row = runTableRow(run('a', 'first', { seed: 7 }));
    expect(row).toMatchObject({ name: 'first', method: 'Hinton KD', models: 'resnet8 \u2192 tiny-cnn', seed: 7, epochs: 2, trainedEpochs: 2, studentBest: 0.52, scratchLast: 0.5, studentEce: 0.0312 });
    const scratchOnly = runTableRow(run('s', 'scratch', { method: 'scratch' }));
    expect(scratchOnly.models).toBe('tiny-cnn');
    expect(scratchOnly.studentBest).toBeNull();
  });

  it('writes one CSV line per run, quoting names and defusing formulas', () => {
    const csv = runsCsv([run('a', 'KD, "long" run'), run('b', '=HYPERLINK("x")', { method: 'scratch' })]).trim().split('\n');
    expect(csv).toHaveLength(3);
    const header = csv[0]!.split(',');
    expect(header.slice(0, 6)).toEqual(['id', 'name', 'method', 'teacher', 'student', 'seed']);
    expect(csv[1]).toContain('"KD, ""long"" run"');
    expect(csv[1]).toContain(',0.520000,0.500000,0.031200,');
    expect(csv[1]).toContain('2025-01-02T03:04:05.000Z');
    expect(csv[2]).toMatch(/^b,"'=HYPERLINK\(""x""\)",scratch,,tiny-cnn,/);
    expect(header).toHaveLength(19);
  });
});
