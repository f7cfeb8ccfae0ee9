import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../src/core/random';
import { BatchSource } from '../../src/data/batches';
import type { LabeledImages } from '../../src/data/cifarBinary';

function images(count: number, side = 32): LabeledImages {
  const perImage = side * side * 3;
  const bytes = new Uint8Array(count * perImage);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + Math.floor(i / perImage) * 13) % 256;
  return { images: bytes, side, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count };
}

/** A generator that replays fixed draws, to pin crop offsets and flips. */
function scripted(ints: number[], uniforms: number[]): Rng {
  return { int: () => ints.shift()!, next: () => uniforms.shift()!, normal: () => 0 };
}

const identity = { mean: [0, 0, 0], std: [1, 1, 1] } as const;

describe('augmentation', () => {
  it('a centred crop without flip is the identity; a flip mirrors columns; an offset crop shifts and zero-pads', async () => {
    const source = new BatchSource(images(1), identity);
    const original = source.evalBatch(0, 1);
    const raw = original.x as tf.Tensor4D;
    // Draws in the order augmentationDraws takes them: dy, dx, then the flip's uniform.
    const crop = (dy: number, dx: number, flipDraw: number) => source.trainBatch([0], scripted([dy, dx], [flipDraw]));

    const centred = crop(4, 4, 0.9);
    expect(tf.max(tf.abs(tf.sub(centred.x, raw))).dataSync()[0]).toBe(0);

    const flipped = crop(4, 4, 0.1);
    expect(tf.max(tf.abs(tf.sub(flipped.x, tf.reverse(raw, 2)))).dataSync()[0]).toBe(0);

    // dy = 0, dx = 8: rows shift down by 4 (4 zero rows on top), columns shift left by 4 (4 zero columns right).
    const shifted = crop(0, 8, 0.9);
    const top = tf.slice(shifted.x, [0, 0, 0, 0], [1, 4, 32, 3]);
    expect(tf.max(tf.abs(top)).dataSync()[0]).toBe(0);
    const right = tf.slice(shifted.x, [0, 0, 28, 0], [1, 32, 4, 3]);
    expect(tf.max(tf.abs(right)).dataSync()[0]).toBe(0);
    const body = tf.slice(shifted.x, [0, 4, 0, 0], [1, 28, 28, 3]);
    const expected = tf.slice(raw, [0, 0, 4, 0], [1, 28, 28, 3]);
    expect(tf.max(tf.abs(tf.sub(body, expected))).dataSync()[0]).toBe(0);

    // Mirrored and shifted: the crop at (dy 8, dx 0) of the padded image, columns reversed.
    const both = crop(8, 0, 0.1);
    const unflipped = tf.reverse(both.x, 2);
    const bottom = tf.slice(unflipped, [0, 28, 0, 0], [1, 4, 32, 3]);
    const left = tf.slice(unflipped, [0, 0, 0, 0], [1, 32, 4, 3]);
    expect(tf.max(tf.abs(tf.concat([tf.reshape(bottom, [-1]), tf.reshape(left, [-1])]))).dataSync()[0]).toBe(0);
    const inner = tf.slice(unflipped, [0, 0, 4, 0], [1, 28, 28, 3]);
    expect(tf.max(tf.abs(tf.sub(inner, tf.slice(raw, [0, 4, 0, 0], [1, 28, 28, 3])))).dataSync()[0]).toBe(0);
    tf.dispose([centred.x, flipped.x, shifted.x, both.x, top, right, body, expected, unflipped, bottom, left, inner, original.x, original.labels]);
    tf.dispose([centred.labels, flipped.labels, shifted.labels, both.labels]);
    source.dispose();
  });

  it('64x64 images (an image folder imported at 64) keep their size, and crops pad and mirror at that size', () => {
    const source = new BatchSource(images(2, 64), identity);
    const original = source.evalBatch(0, 2);
    expect(original.x.shape).toEqual([2, 64, 64, 3]);
    const raw = tf.slice(original.x, [1, 0, 0, 0], [1, 64, 64, 3]);
    // dy 8, dx 0, flipped: rows shift up by 4 (zero rows at the bottom); unflipped, columns shift right by 4.
    const both = source.trainBatch([1], scripted([8, 0], [0.1]));
    expect(both.x.shape).toEqual([1, 64, 64, 3]);
    const unflipped = tf.reverse(both.x, 2);
    const padding = tf.concat([tf.reshape(tf.slice(unflipped, [0, 60, 0, 0], [1, 4, 64, 3]), [-1]), tf.reshape(tf.slice(unflipped, [0, 0, 0, 0], [1, 64, 4, 3]), [-1])]);
    expect(tf.max(tf.abs(padding)).dataSync()[0]).toBe(0);
    const inner = tf.slice(unflipped, [0, 0, 4, 0], [1, 60, 60, 3]);
    expect(tf.max(tf.abs(tf.sub(inner, tf.slice(raw, [0, 4, 0, 0], [1, 60, 60, 3])))).dataSync()[0]).toBe(0);
    expect(Array.from(both.labels.dataSync())).toEqual([1]);
    tf.dispose([original.x, original.labels, raw, both.x, both.labels, unflipped, padding, inner]);
    source.dispose();
  });

  it('evaluation batches have a fixed shape and say how many rows are real', () => {
    const source = new BatchSource(images(5), identity);
    const batch = source.evalBatch(4, 4);
    expect(batch.x.shape).toEqual([4, 32, 32, 3]);
    expect(batch.valid).toBe(1);
    expect(Array.from(batch.labels.dataSync())).toEqual([4, 0, 0, 0]);
    tf.dispose([batch.x, batch.labels]);
    source.dispose();
  });

  it('normalises per channel', () => {
    const source = new BatchSource(images(2), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] });
    const batch = source.trainBatch([1], null);
    const pixel = Array.from(tf.slice(batch.x, [0, 0, 0, 0], [1, 1, 1, 3]).dataSync());
    const rawBytes = images(2).images.subarray(3072, 3075);
    pixel.forEach((v, c) => expect(v).toBeCloseTo((rawBytes[c]! / 255 - 0.5) / [0.25, 0.5, 1][c]!, 5));
    tf.dispose([batch.x, batch.labels]);
    source.dispose();
  });
});
