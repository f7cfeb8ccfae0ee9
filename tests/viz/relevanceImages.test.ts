import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RelevanceItem } from '../../src/contract/inspection';
import { centreSquare, pictureFileProblem, pictureToRgba } from '../../src/viz/ownPicture';
import {
  colourBarRgba, defaultModelKey, DIVERGING_STOPS, divergingColor, maxAbsRelevance, nextIndices, parseIndices, relevanceCsv, relevanceRows,
  relevanceSums, relevanceToRgba, topClasses,
} from '../../src/viz/relevanceImages';

const SIZE = 4;
const pixel = (rgba: Uint8ClampedArray, p: number) => Array.from(rgba.slice(p * 4, p * 4 + 4));

function randomMap(seed: number): Float32Array {
  const r = new Float32Array(SIZE * SIZE);
  let s = seed;
  for (let i = 0; i < r.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    r[i] = (s / 2147483648 - 0.5) * 6;
  }
  return r;
}

describe('diverging relevance map', () => {
  it('gives R and −R mirrored colours: −R on the scale equals R on the reversed scale', () => {
    const r = randomMap(7);
    const negated = r.map((v) => -v);
    const a = relevanceToRgba(negated, SIZE);
    const b = relevanceToRgba(r, SIZE, [...DIVERGING_STOPS].reverse());
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1);
  });

  it('puts 0 at white, the ends at the scale ends, and is symmetric around 0 with the max |R|', () => {
    expect(divergingColor(0)).toEqual([255, 255, 255]);
    expect(divergingColor(-1)).toEqual(DIVERGING_STOPS[0]);
    expect(divergingColor(1)).toEqual(DIVERGING_STOPS.at(-1));
    const r = new Float32Array(SIZE * SIZE);
    r[0] = 2;
    r[1] = -2;
    r[2] = 1;
    r[3] = -0.5;
    const rgba = relevanceToRgba(r, SIZE);
    expect(pixel(rgba, 0)).toEqual([...DIVERGING_STOPS.at(-1)!, 255]); // +max → deepest red
    expect(pixel(rgba, 1)).toEqual([...DIVERGING_STOPS[0]!, 255]); // −max → deepest blue
    expect(pixel(rgba, 4)).toEqual([255, 255, 255, 255]); // 0 → white
    // Positive is red-ish (r > b), negative blue-ish (b > r).
    expect(rgba[2 * 4]!).toBeGreaterThan(rgba[2 * 4 + 2]!);
    expect(rgba[3 * 4 + 2]!).toBeGreaterThan(rgba[3 * 4]!);
    // Scaling by a constant does not change the picture: the scale is the image's own max |R|.
    expect(Array.from(relevanceToRgba(r.map((v) => v * 1000), SIZE))).toEqual(Array.from(rgba));
  });

  it('handles all-zero, empty and non-finite relevance without NaN', () => {
    const zeros = relevanceToRgba(new Float32Array(SIZE * SIZE), SIZE);
    expect(zeros.every((v) => v === 255)).toBe(true);
    expect(maxAbsRelevance(new Float32Array(0))).toBe(0);
    const odd = new Float32Array([NaN, Infinity, -Infinity, 1]);
    expect(maxAbsRelevance(odd)).toBe(1);
    const rgba = relevanceToRgba(odd, 2);
    expect(rgba.length).toBe(16);
    expect(pixel(rgba, 0)).toEqual([255, 255, 255, 255]);
    expect(Array.from(rgba).every(Number.isFinite)).toBe(true);
    expect(relevanceSums(odd)).toEqual({ positive: 1, negative: 0 });
    // A short map is padded with zeros rather than read out of range.
    expect(pixel(relevanceToRgba(new Float32Array([1]), 2), 3)).toEqual([255, 255, 255, 255]);
  });

  it('draws a colour bar from the negative end through white to the positive end', () => {
    const bar = colourBarRgba(11, 2);
    expect(pixel(bar, 0)).toEqual([...DIVERGING_STOPS[0]!, 255]);
    expect(pixel(bar, 5)).toEqual([255, 255, 255, 255]);
    expect(pixel(bar, 10)).toEqual([...DIVERGING_STOPS.at(-1)!, 255]);
    expect(pixel(bar, 11)).toEqual(pixel(bar, 0)); // second row repeats the first
  });
});

describe('top classes', () => {
  it('orders by probability, breaks ties by the lower class, and ranks NaN last', () => {
    expect(topClasses([0.1, 0.5, 0.2, 0.2], 3)).toEqual([
      { index: 1, p: 0.5 },
      { index: 2, p: 0.2 },
      { index: 3, p: 0.2 },
    ]);
    expect(topClasses([0.25, 0.25, 0.25, 0.25], 2).map((c) => c.index)).toEqual([0, 1]);
    expect(topClasses([NaN, 0.1, 0.9], 3).map((c) => c.index)).toEqual([2, 1, 0]);
    expect(topClasses([0.3, 0.7], 5)).toHaveLength(2);
    expect(topClasses([0.3, 0.7], 0)).toEqual([]);
  });
});

describe('relevance table', () => {
  const item = (target: number, relevance: number[], onX: number[], onXStar?: number[]): RelevanceItem => ({
    target,
    relevance: new Float32Array(relevance),
    x: new Uint8ClampedArray(4),
    xStar: new Uint8ClampedArray(4),
    predictions: [
      { model: 'student', label: 'Student', onX: [1, 0, 0] },
      { model: 'teacher0', label: 'Teacher', onX, ...(onXStar ? { onXStar } : {}) },
    ],
  });

  it('rows use the inspected model and sum positive and negative relevance', () => {
    const rows = relevanceRows([item(1, [0.5, -0.25, 1, -1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8])], [42], 'teacher0', ['cat', 'dog, big', 'frog']);
    expect(rows).toEqual([{ index: 42, trueClass: 'dog, big', topX: { name: 'dog, big', p: 0.7 }, topXStar: { name: 'frog', p: 0.8 }, positive: 1.5, negative: -1.25 }]);
  });

  it('CSV has a header, one line per image, quoted names and empty cells for a missing x* prediction', () => {
    const rows = relevanceRows(
      [item(1, [0.5, -0.25], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]), item(4, [0, 0], [0.6, 0.3, 0.1])],
      [3, 9],
      'teacher0',
      ['cat', 'say "dog"', 'frog'],
    );
    const lines = relevanceCsv(rows).trimEnd().split('\n');
    expect(lines[0]).toBe('image,true_class,top_class_x,confidence_x,top_class_xstar,confidence_xstar,relevance_positive,relevance_negative');
    expect(lines[1]).toBe('3,"say ""dog""","say ""dog""",0.700000,frog,0.800000,0.500000,-0.250000');
    expect(lines[2]).toBe('9,class 4,cat,0.600000,,,0.000000,0.000000');
    expect(lines).toHaveLength(3);
  });
});

describe('image choice', () => {
  it('picks the next images after the largest shown one, wrapping around', () => {
    expect(nextIndices([], 100)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(nextIndices([0, 1, 2, 3, 4, 5], 100)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(nextIndices([97], 100)).toEqual([98, 99, 0, 1, 2, 3]);
    expect(nextIndices([], 3)).toEqual([0, 1, 2]);
    expect(nextIndices([], 0)).toEqual([]);
  });

  it('parses typed indices and explains bad ones', () => {
    expect(parseIndices('3, 17 42;3', 100)).toEqual({ indices: [3, 17, 42] });
    expect(parseIndices('  ', 100)).toHaveProperty('error');
    expect(parseIndices('1, 100', 100)).toHaveProperty('error');
    expect(parseIndices('-1', 100)).toHaveProperty('error');
    expect(parseIndices('2.5', 100)).toHaveProperty('error');
    expect(parseIndices(Array.from({ length: 13 }, (_, i) => i).join(','), 100)).toHaveProperty('error');
  });

  it('defaults to the first teacher', () => {
    expect(defaultModelKey([{ key: 'scratch' }, { key: 'teacher0' }, { key: 'teacher1' }])).toBe('teacher0');
    expect(defaultModelKey([{ key: 'student' }])).toBe('student');
    expect(defaultModelKey([])).toBe('');
  });
});

describe('own picture', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('centre-crops to the largest square', () => {
    expect(centreSquare(640, 480)).toEqual({ sx: 80, sy: 0, side: 480 });
    expect(centreSquare(31, 100)).toEqual({ sx: 0, sy: 34, side: 31 });
    expect(centreSquare(32, 32)).toEqual({ sx: 0, sy: 0, side: 32 });
  });

  it('rejects empty and non-image files with a clear message', async () => {
    expect(pictureFileProblem(new File([], 'empty.png', { type: 'image/png' }))).toMatch(/“empty\.png” is empty/);
    expect(pictureFileProblem(new File(['hello'], 'notes.txt', { type: 'text/plain' }))).toMatch(/not an image \(text\/plain\)/);
    expect(pictureFileProblem(new Blob([new Uint8Array([1])]))).toBeNull(); // no type: let the decoder decide
    await expect(pictureToRgba(new File([], 'a.png', { type: 'image/png' }), 32)).rejects.toThrow(/is empty/);
    await expect(pictureToRgba(new File(['x'], 'a.pdf', { type: 'application/pdf' }), 32)).rejects.toThrow(/not an image/);
  });

  it('turns a decoder failure into a readable message', async () => {
    vi.stubGlobal('createImageBitmap', () => Promise.reject(new DOMException('The source image could not be decoded.', 'InvalidStateError')));
    await expect(pictureToRgba(new File(['garbage'], 'broken.jpg', { type: 'image/jpeg' }), 32)).rejects.toThrow(/“broken\.jpg” could not be read as an image/);
  });
});
