import { describe, expect, it } from 'vitest';
import {
  comparedModels,
  darkKnowledgeCsv,
  darkKnowledgeTraces,
  darkKnowledgeView,
  darkShare,
  entropyBits,
  mostConfused,
  sharedCount,
  shownClasses,
  softenedRow,
  stripIndices,
} from '../../src/viz/darkKnowledge';
import { resultFromLogits as result } from '../helpers/results';

const sum = (p: ArrayLike<number>) => Array.from(p).reduce((s, v) => s + v, 0);

describe('dark knowledge panel numbers', () => {
  const logits = Float32Array.from([5, 2, 1, -1, 0.5, 0.5, 0.4, 0]);

  it('softened distributions sum to 1 and flatten as T grows', () => {
    let previous = -1;
    for (const t of [0.5, 1, 2, 4, 8, 20]) {
      const p = softenedRow(logits, 4, 0, t);
      expect(sum(p)).toBeCloseTo(1, 6);
      const h = entropyBits(p);
      expect(h).toBeGreaterThan(previous);
      previous = h;
    }
    expect(previous).toBeLessThan(2);
    expect(darkShare(softenedRow(logits, 4, 0, 20))).toBeGreaterThan(darkShare(softenedRow(logits, 4, 0, 1)));
    expect(() => softenedRow(logits, 4, 2, 1)).toThrow(RangeError);
  });

  it('entropy is in bits: uniform over C classes is log2 C, one-hot is 0', () => {
    for (const c of [2, 3, 10, 100]) expect(entropyBits(new Array(c).fill(1 / c))).toBeCloseTo(Math.log2(c), 10);
    expect(entropyBits([0, 1, 0])).toBe(0);
    expect(entropyBits(softenedRow(new Float32Array(10), 10, 0, 4))).toBeCloseTo(Math.log2(10), 5);
    expect(darkShare([0.7, 0.2, 0.1])).toBeCloseTo(0.3, 12);
  });

  it('the most confused image is the one whose top two probabilities are closest', () => {
    const rows = [
      [4, 0, 0], // confident
      [1, 0.8, -3], // torn between 0 and 1
      [2, 0, 1.9], // more torn between 0 and 2
      [0, 3, 0],
    ];
    expect(mostConfused(Float32Array.from(rows.flat()), 3)).toBe(2);
    // Only the first two images counted.
    expect(mostConfused(Float32Array.from(rows.flat()), 3, 2)).toBe(1);
    // Ties: the first wins.
    expect(mostConfused(Float32Array.from([1, 1, 0, 2, 2, 0]), 3)).toBe(0);
  });

  it('compares the first teacher, the distilled student and the scratch baseline, in that order', () => {
    const labels = [0, 2];
    const rows = [
      [3, 1, 0],
      [0, 1, 2],
    ];
    const results = [
      result('scratch', 'scratch', rows, labels),
      result('teacher0', 'teacher', rows, labels),
      result('teacher1', 'teacher', rows, labels),
      result('student', 'student', rows.slice(0, 1), labels.slice(0, 1)),
      result('odd', 'student', [[1, 2]], [0]),
    ];
    const models = comparedModels(results, 3);
    expect(models.map((m) => m.result.learner.key)).toEqual(['teacher0', 'student', 'scratch']);
    expect(sharedCount(models)).toBe(1);
    expect(sharedCount(models.slice(0, 1), 1)).toBe(1);
    expect(comparedModels(results.slice(0, 1), 3).map((m) => m.role)).toEqual(['scratch']);

    const view = darkKnowledgeView(models, 3, 0, 4);
    expect(view.label).toBe(0);
    expect(view.models).toHaveLength(3);
    const traces = darkKnowledgeTraces(view, ['cat', 'dog', 'frog']);
    expect(traces).toHaveLength(4);
    expect(traces.at(-1)).toMatchObject({ name: 'True label (one-hot)', y: [1, 0, 0] });
  });

  it('the strip stays inside the test set, and many classes narrow the chart to the likeliest', () => {
    expect(stripIndices(0, 100)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(stripIndices(50, 100)).toEqual([47, 48, 49, 50, 51, 52, 53, 54]);
    expect(stripIndices(99, 100)).toEqual([92, 93, 94, 95, 96, 97, 98, 99]);
    expect(stripIndices(2, 3)).toEqual([0, 1, 2]);

    const wide = Array.from({ length: 30 }, (_, c) => (c === 7 ? 5 : c === 3 ? 4 : -c / 10));
    const view = darkKnowledgeView(comparedModels([result('t', 'teacher', [wide], [29])], 30), 30, 0, 1);
    const shown = shownClasses(view, 5);
    expect(shown).toHaveLength(5);
    expect(shown).toEqual([0, 1, 3, 7, 29]);
  });

  it('CSV has a row per class with the one-hot label and each model\'s probability', () => {
    const rows = [[2, 1, 0]];
    const models = comparedModels([result('teacher0', 'teacher', rows, [1]), result('student', 'student', [[0, 0, 0]], [1])], 3);
    const csv = darkKnowledgeCsv(darkKnowledgeView(models, 3, 0, 2), ['cat', 'dog, big', 'frog']).trim().split('\n');
    expect(csv[0]).toBe('image,temperature,class,one_hot,teacher_p,student_p');
    expect(csv).toHaveLength(4);
    expect(csv[2]).toMatch(/^0,2,"dog, big",1,0\.\d{6},0\.333333$/);
    const teacher = csv.slice(1).map((line) => Number(line.split(',').at(-2)));
    expect(sum(teacher)).toBeCloseTo(1, 5);
  });
});
