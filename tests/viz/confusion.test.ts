import { describe, expect, it } from 'vitest';
import {
  confusionCsv,
  confusionFigure,
  confusionOf,
  defaultModelKey,
  perClassCsv,
  perClassOf,
  perClassTraces,
  rowNormalised,
} from '../../src/viz/confusion';
import { resultFromPredictions as result } from '../helpers/results';

const names = ['cat', 'dog', 'frog'];
// True: cat ×3, dog ×2, frog ×1.
const labels = [0, 0, 0, 1, 1, 2];
const student = result('student', 'student', [0, 0, 1, 1, 2, 2], labels);
const teacher = result('teacher0', 'teacher', [0, 0, 0, 1, 1, 0], labels);

describe('confusion panel numbers', () => {
  it('counts a hand-made 3-class example', () => {
    expect(Array.from(confusionOf(student, 3))).toEqual([2, 1, 0, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(confusionOf(teacher, 3))).toEqual([3, 0, 0, 0, 2, 0, 1, 0, 0]);
  });

  it('normalises each row, an empty row to zeros rather than NaN', () => {
    const shares = rowNormalised([2, 1, 1, 0, 0, 0, 0, 3, 0], 3);
    expect(shares[0]).toEqual([0.5, 0.25, 0.25]);
    expect(shares[1]).toEqual([0, 0, 0]);
    expect(shares[2]).toEqual([0, 1, 0]);
    expect(shares.flat().every(Number.isFinite)).toBe(true);
  });

  it('per-class accuracy of every model, side by side; NaN only for a class with no image', () => {
    // Logits of 2 classes do not fit a 3-class panel: left out.
    const misfit = result('scratch', 'scratch', [1, 0, 0, 1], [0, 0, 1, 1], 2);
    const perClass = perClassOf([teacher, student, misfit], 3);
    expect(perClass.models.map((m) => m.key)).toEqual(['teacher0', 'student']);
    expect(perClass.support).toEqual([3, 2, 1]);
    expect(perClass.accuracy[0]).toEqual([1, 2 / 3]);
    expect(perClass.accuracy[1]).toEqual([1, 0.5]);
    expect(perClass.accuracy[2]).toEqual([0, 1]);

    const withGap = perClassOf([result('student', 'student', [1, 0, 0, 1], [0, 0, 1, 1])], 3);
    expect(withGap.accuracy.map((row) => row[0])).toEqual([0.5, 0.5, Number.NaN]);
    const traces = perClassTraces(withGap, names);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ type: 'bar', x: names, y: [0.5, 0.5, null] });
  });

  it('opens on the distilled student, else the last model', () => {
    expect(defaultModelKey([teacher, student, result('scratch', 'scratch', [0], [0])])).toBe('student');
    expect(defaultModelKey([teacher, result('scratch', 'scratch', [0], [0])])).toBe('scratch');
    expect(defaultModelKey([])).toBeUndefined();
  });

  it('the heatmap is coloured by row share and annotated with counts for few classes', () => {
    const matrix = [2, 1, 0, 0, 0, 0, 0, 0, 1];
    const { data, layout } = confusionFigure(matrix, names);
    expect(data[0]).toMatchObject({ type: 'heatmap', x: names, y: names, texttemplate: '%{text}', zmin: 0, zmax: 1 });
    expect(data[0]).toMatchObject({ z: [[2 / 3, 1 / 3, 0], [0, 0, 0], [0, 0, 1]], text: [[2, 1, 0], [0, 0, 0], [0, 0, 1]] });
    expect(layout.yaxis).toMatchObject({ autorange: 'reversed' });

    const many = Array.from({ length: 25 }, (_, c) => `c${c}`);
    const big = confusionFigure(new Int32Array(25 * 25), many);
    expect(big.data[0]).not.toHaveProperty('texttemplate');
  });

  it('CSV of the matrix and of the per-class accuracies', () => {
    const matrix = confusionOf(student, 3);
    expect(confusionCsv(matrix, ['cat', 'dog', 'tree frog, green'])).toBe(
      'true \\ predicted,cat,dog,"tree frog, green"\ncat,2,1,0\ndog,0,1,1\n"tree frog, green",0,0,1\n',
    );
    const csv = perClassCsv(perClassOf([teacher, student], 3), names).trim().split('\n');
    expect(csv[0]).toBe('class,images,teacher0 net,student net');
    expect(csv[1]).toBe('cat,3,1.000000,0.666667');
    expect(csv[3]).toBe('frog,1,0.000000,1.000000');
    const gap = perClassCsv(perClassOf([result('student', 'student', [0, 0], [0, 0])], 3), names).trim().split('\n');
    expect(gap[2]).toBe('dog,0,');
  });
});
