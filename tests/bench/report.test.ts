/** The benchmark's pure report code: medians, throughput rows, targets and the Markdown it writes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateTargets, formatNumber, geometricMean, markdownTable, median, pairedSpeedRatio, passLabel, spanSummary, teacherCacheSpeedup, tensorsFlat, throughputRow, TARGETS } from '../../bench/report.mjs';
import { WEBGPU_FLAGS } from '../../playwright.config';
import { readWebgpuFlags } from '../../bench/serve.mjs';
import { renderMarkdown } from '../../bench/markdown.mjs';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('geometricMean', () => {
  it('averages ratios so that 2× and 0.5× cancel out', () => {
    expect(geometricMean([2, 0.5])).toBeCloseTo(1, 12);
    expect(geometricMean([4])).toBeCloseTo(4, 12);
    expect(geometricMean([])).toBeNaN();
  });
});

describe('throughputRow', () => {
  it('turns step times into images per second and ours / baseline', () => {
    const row = throughputRow({
      backend: 'webgpu',
      model: 'tiny-cnn',
      method: 'kd',
      teachers: 1,
      batch: 64,
      ours: { firstStepSeconds: 9, stepSeconds: [2, 4, 2] },
      baseline: { firstStepSeconds: 5, stepSeconds: [1, 2, 3] },
    });
    expect(row.oursImagesPerSecond).toBe(32);
    expect(row.baselineImagesPerSecond).toBe(32);
    // Pairs (2 vs 1, 4 vs 2, 2 vs 3): speed ratios 0.5, 0.5, 1.5.
    expect(row.ratio).toBe(0.5);
    expect(row.firstStepSeconds).toBe(9);
  });
});

describe('pairedSpeedRatio', () => {
  it('cancels a slow spell that hits both steps of a pair, where a ratio of medians is thrown off', () => {
    // Ours is 10% slower. The machine slows 3× for the last two pairs, and one step in each of them has
    // its own jitter (ours lucky in pair 2, unlucky in pair 3).
    const baseline = [1, 3, 3];
    const ours = [1.1, 3.0, 3.6];
    expect(pairedSpeedRatio(ours, baseline)).toBeCloseTo(1 / 1.1, 12);
    expect(median(baseline) / median(ours)).toBe(1);
  });

  it('uses only complete pairs and is NaN with none', () => {
    expect(pairedSpeedRatio([2, 2, 9], [1, 1])).toBe(0.5);
    expect(pairedSpeedRatio([], [])).toBeNaN();
  });
});

describe('spanSummary', () => {
  it('groups spans by name with their count, longest and total, longest first', () => {
    const summary = spanSummary([
      { name: 'chart: loss', duration: 40 },
      { name: 'chart: accuracy', duration: 120 },
      { name: 'chart: loss', duration: 60 },
    ]);
    expect(summary).toEqual([
      { name: 'chart: accuracy', count: 1, longestMs: 120, totalMs: 120 },
      { name: 'chart: loss', count: 2, longestMs: 60, totalMs: 100 },
    ]);
    expect(spanSummary([])).toEqual([]);
  });
});

describe('tensorsFlat', () => {
  it('holds when every learner keeps its count from epoch to epoch', () => {
    const readings = [1, 2, 3].flatMap((epoch) => [
      { learner: 'scratch', epoch, numTensors: 91 },
      { learner: 'student', epoch, numTensors: 91 },
    ]);
    expect(tensorsFlat(readings).flat).toBe(true);
  });

  it('fails on growth, even when a later epoch comes back down', () => {
    const readings = [90, 95, 90].map((numTensors, i) => ({ learner: 'student', epoch: i + 1, numTensors }));
    expect(tensorsFlat(readings)).toEqual({ flat: false, learners: [{ learner: 'student', first: 90, last: 90, max: 95 }] });
  });

  it('cannot hold on a single epoch (nothing to compare)', () => {
    expect(tensorsFlat([{ learner: 'student', epoch: 1, numTensors: 9 }]).flat).toBe(false);
  });
});

describe('teacherCacheSpeedup', () => {
  it('compares median images per second with and without the cache', () => {
    const run = (cacheTeacherOutputs: boolean, seconds: number) => ({ cacheTeacherOutputs, seconds, steps: 4, batch: 16 });
    const result = teacherCacheSpeedup([run(true, 8), run(false, 16), run(true, 8), run(false, 16)]);
    expect(result.cachedImagesPerSecond).toBe(8);
    expect(result.uncachedImagesPerSecond).toBe(4);
    expect(result.speedup).toBe(2);
  });
});

describe('evaluateTargets', () => {
  const row = (ratio: number, model = 'tiny-cnn') => ({ ...throughputRow({ backend: 'webgpu', model, method: 'scratch', teachers: 0, batch: 16, ours: { firstStepSeconds: 1, stepSeconds: [1] }, baseline: { firstStepSeconds: 1, stepSeconds: [1] } }), ratio });

  it('passes each target at its threshold and fails just past it', () => {
    const passing = evaluateTargets({ throughput: [row(1.1), row(TARGETS.oursOverBaseline)], longestTaskMs: 50, tensors: { flat: true, learners: [] }, cacheSpeedup: 1.5 });
    expect(passing.map((t) => t.pass)).toEqual([true, true, true, true]);
    const failing = evaluateTargets({ throughput: [row(1.1), row(0.9, 'resnet8')], longestTaskMs: 51, tensors: { flat: false, learners: [] }, cacheSpeedup: 1.49 });
    expect(failing.map((t) => t.pass)).toEqual([false, false, false, false]);
    expect(failing[0]!.detail).toContain('resnet8');
    expect(failing[0]!.value).toBe(0.9);
  });

  it('says "not measured" rather than pass or fail when a figure is missing', () => {
    const targets = evaluateTargets({ throughput: [], longestTaskMs: null, tensors: null, cacheSpeedup: null });
    expect(targets.map((t) => t.pass)).toEqual([null, null, null, null]);
    expect(targets.map((t) => passLabel(t.pass))).toEqual(Array(4).fill('not measured'));
  });
});

describe('formatting', () => {
  it('formats numbers and shows a dash for missing ones', () => {
    expect(formatNumber(1.234, 2)).toBe('1.23');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(formatNumber(null)).toBe('–');
  });

  it('writes a Markdown table and escapes pipes in cells', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe('browser flags', () => {
  it('the runner launches Chromium with the end-to-end tests\' WebGPU flags', () => {
    expect(readWebgpuFlags(new URL('../..', import.meta.url).pathname)).toEqual(WEBGPU_FLAGS);
    expect(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).toContain('"bench": "node bench/run.mjs"');
  });
});

describe('results.md', () => {
  const committed = JSON.parse(readFileSync(new URL('../../bench/results.json', import.meta.url), 'utf8'));

  it('is the committed results.json rendered, so the two never disagree', () => {
    expect(readFileSync(new URL('../../bench/results.md', import.meta.url), 'utf8')).toBe(renderMarkdown(committed));
  });

  it('names the charts that held the main thread, and the same chart redrawn on an idle page', () => {
    const results = {
      ...committed,
      longTasks: { ...committed.longTasks, spans: [{ name: 'chart: Training loss per batch for each model', count: 4, longestMs: 283.4, totalMs: 521 }] },
      chartRedraw: { pointsPerRedraw: 4, redraws: 20, firstMs: 151, redrawMs: [30, 40], medianMs: 35, longestMs: 40 },
    };
    const text = renderMarkdown(results);
    expect(text).toContain('| Training loss per batch for each model | 4 | 283 | 521 |');
    expect(text).toMatch(/first draw 151 ms .* later redraws median 35 ms, longest 40 ms/);
  });

  it('says "Not measured." for a section whose measurement failed', () => {
    const text = renderMarkdown({ ...committed, longTasks: null, chartRedraw: null, teacherCache: null });
    expect(text).toMatch(/## Main-thread long tasks in the app\n\nNot measured\./);
    expect(text).toMatch(/## Teacher-output cache\n\nNot measured\./);
  });
});
