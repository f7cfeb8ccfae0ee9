// The fixtures the Python package is checked against (python/tests/fixtures/, written by
// scripts/same-seed-fixture.mjs) must still be what the page draws: if the page's initialisation, data order
// or augmentation changes, this fails until the fixtures are written again (and the Python port follows).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sameSeedFixture, zooNameTable } from '../../scripts/torch/sameSeed';

const FIXTURES = new URL('../../python/tests/fixtures/', import.meta.url);
const committed = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** Same structure; numbers equal within `tol` relative (float sums may differ in the last bits across backends). */
function mismatches(got: unknown, expected: unknown, at: string, tol: number, out: string[]): string[] {
  if (typeof expected === 'number' && typeof got === 'number') {
    if (Math.abs(got - expected) > tol * Math.max(1, Math.abs(expected))) out.push(`${at}: ${got} != ${expected}`);
  } else if (Array.isArray(expected) && Array.isArray(got) && got.length === expected.length) {
    expected.forEach((e, i) => mismatches(got[i], e, `${at}[${i}]`, tol, out));
  } else if (expected && typeof expected === 'object' && got && typeof got === 'object' && !Array.isArray(got)) {
    const keys = Object.keys(expected);
    if (keys.join() !== Object.keys(got).join()) out.push(`${at}: keys ${Object.keys(got).join()} != ${keys.join()}`);
    else for (const key of keys) mismatches((got as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${at}.${key}`, tol, out);
  } else if (got !== expected) out.push(`${at}: ${JSON.stringify(got)} != ${JSON.stringify(expected)}`);
  return out;
}

describe('the same-seed fixtures of the Python package', () => {
  it('same_seed.json: the page still draws these weights, batches and logits', async () => {
    const fresh = JSON.parse(JSON.stringify(await sameSeedFixture()));
    expect(mismatches(fresh, committed('same_seed.json'), 'same_seed', 1e-5, []).slice(0, 5)).toEqual([]);
  }, 120_000);

  it('zoo_names.json: every zoo model still has these PyTorch names and shapes, in this order', async () => {
    expect(mismatches(await zooNameTable(), committed('zoo_names.json'), 'zoo_names', 0, []).slice(0, 5)).toEqual([]);
  }, 120_000);
});
