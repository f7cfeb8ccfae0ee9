/**
 * One training step of every method on the active backend against the tfjs CPU backend, number by number
 * (the check page's comparison, `stepComparisons`): loss terms, diagnostics, the gradient norm and BatchNorm
 * statistics within 1e-3. It means something only off the CPU backend: `npm run test:wasm` runs it on the
 * wasm training backend (where it found tfjs's nearest-sampling `cropAndResize` shifting crops by a pixel).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../../src/contract/methodCatalog';
import { methodStepNumbers } from '../../src/training/methodStep';
import { useBackend } from '../../src/workers/backend';
import { stepComparisons } from '../../src/workers/backendCheck';

describe.skipIf(tf.getBackend() === 'cpu')(`one step of every method on ${tf.getBackend()} equals the CPU backend's`, () => {
  it.each(METHOD_IDS)('%s', async (method) => {
    const expected = await useBackend('cpu', () => methodStepNumbers(method));
    const got = await methodStepNumbers(method);
    expect(got.map((g) => g.label)).toEqual(expected.map((e) => e.label));
    const failures = got.flatMap((g, i) => stepComparisons(g, expected[i]!)).filter((c) => !c.pass);
    expect(failures.map((c) => `${c.what}: expected ${c.expected}, got ${c.got} (${c.detail})`)).toEqual([]);
  });
});
