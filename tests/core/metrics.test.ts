import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  confusionMatrix,
  crossEntropyFromLogits,
  fromRows,
  MIN_PROBABILITY,
  negativeLogLikelihood,
  perClassAccuracy,
  rowCount,
  softmaxRows,
} from '../../src/core/metrics';

describe('fromRows / rowCount', () => {
  it('flattens rows row-major and counts them', () => {
    const m = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.cols).toBe(3);
    expect(rowCount(m)).toBe(2);
  });

  it('rejects ragged rows, partial rows and empty batches', () => {
    expect(() => fromRows([[1, 2], [3]])).toThrow(RangeError);
    expect(() => rowCount({ data: [1, 2, 3], cols: 2 })).toThrow(RangeError);
    expect(() => rowCount({ data: [], cols: 2 })).toThrow(RangeError);
    expect(() => rowCount({ data: [1, 2], cols: 0 })).toThrow(RangeError);
  });
});

describe('softmaxRows', () => {
  it('normalises each row', () => {
    const p = softmaxRows([0, 0, 0, 0, Math.log(3), 0], 3);
    [1 / 3, 1 / 3, 1 / 3, 0.2, 0.6, 0.2].forEach((expected, i) => expect(p[i]).toBeCloseTo(expected, 6));
  });

  it('divides by the temperature: softmax([0, ln 4] / 2) = [1/3, 2/3]', () => {
    const [a, b] = softmaxRows([0, Math.log(4)], 2, 2);
    expect(a).toBeCloseTo(1 / 3, 6);
    expect(b).toBeCloseTo(2 / 3, 6);
  });

  it('is shift-invariant, so huge logits do not overflow', () => {
    expect(softmaxRows([1000, 1001, 1002], 3)).toEqual(softmaxRows([0, 1, 2], 3));
    expect(softmaxRows([-1000, 0], 2)[1]).toBe(1);
  });

  it('rejects non-positive temperatures', () => {
    expect(() => softmaxRows([0, 1], 2, 0)).toThrow(RangeError);
    expect(() => softmaxRows([0, 1], 2, Number.NaN)).toThrow(RangeError);
  });
});

describe('crossEntropyFromLogits', () => {
  it('equals the NLL of the softmax', () => {
    const logits = [2, -1, 0.5, 0.1, 0.2, 3, -2, 4, 1];
    const labels = [0, 2, 1];
    for (const t of [0.5, 1, 3]) {
      expect(crossEntropyFromLogits(logits, labels, 3, t)).toBeCloseTo(negativeLogLikelihood(softmaxRows(logits, 3, t), labels, 3), 6);
    }
  });

  it('stays exact where float32 probabilities would underflow', () => {
    expect(crossEntropyFromLogits([0, 200], [0], 2)).toBeCloseTo(200, 10);
  });
});

describe('negativeLogLikelihood', () => {
  it('averages −log p(label)', () => {
    const nll = negativeLogLikelihood([0.5, 0.5, 0.25, 0.75], [0, 1], 2);
    expect(nll).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 12);
  });

  it('clamps a zero probability instead of returning Infinity', () => {
    expect(negativeLogLikelihood([1, 0], [1], 2)).toBeCloseTo(-Math.log(MIN_PROBABILITY), 9);
  });

  it('rejects labels outside [0, numClasses) and label-count mismatches', () => {
    expect(() => negativeLogLikelihood([0.5, 0.5], [2], 2)).toThrow(RangeError);
    expect(() => negativeLogLikelihood([0.5, 0.5], [0.5], 2)).toThrow(RangeError);
    expect(() => negativeLogLikelihood([0.5, 0.5], [0, 1], 2)).toThrow(RangeError);
  });
});

describe('accuracy / argmaxRows', () => {
  // Predictions 0, 2, 1 (the tie in the last row goes to the first class, as torch.argmax).
  const logits = new Float32Array([3, 1, 2, 0, 1, 5, 4, 4, 1]);

  it('takes the first maximum on ties', () => {
    expect(Array.from(argmaxRows(logits, 3))).toEqual([0, 2, 0]);
  });

  it('is the fraction of rows whose argmax is the label', () => {
    expect(accuracy(logits, new Int32Array([0, 2, 0]), 3)).toBe(1);
    expect(accuracy(logits, new Int32Array([0, 1, 1]), 3)).toBeCloseTo(1 / 3, 12);
    expect(accuracy(logits, new Uint8Array([1, 1, 1]), 3)).toBe(0);
  });

  it('gives the same answer on logits and their probabilities', () => {
    const labels = [0, 2, 1];
    expect(accuracy(softmaxRows(logits, 3), labels, 3)).toBe(accuracy(logits, labels, 3));
  });
});

describe('confusionMatrix / perClassAccuracy', () => {
  const labels = [0, 0, 1, 1, 1, 2];
  const predictions = [0, 1, 1, 1, 2, 2];

  it('counts [true][pred], row-major', () => {
    // prettier-ignore
    expect(Array.from(confusionMatrix(predictions, labels, 3))).toEqual([
      1, 1, 0,
      0, 2, 1,
      0, 0, 1,
    ]);
  });

  it('accepts scores instead of predictions', () => {
    const probs = new Float32Array(labels.length * 3);
    predictions.forEach((p, i) => (probs[i * 3 + p] = 0.9));
    expect(confusionMatrix(probs, labels, 3)).toEqual(confusionMatrix(predictions, labels, 3));
  });

  it('gives per-class recall, NaN for a class with no samples', () => {
    expect(perClassAccuracy(predictions, labels, 3)).toEqual([0.5, 2 / 3, 1]);
    expect(perClassAccuracy([0, 0], [0, 1], 3)).toEqual([1, 0, Number.NaN]);
  });

  it('rejects out-of-range predictions and empty batches', () => {
    expect(() => confusionMatrix([3], [0], 3)).toThrow(RangeError);
    expect(() => confusionMatrix([], [], 3)).toThrow(RangeError);
  });
});
