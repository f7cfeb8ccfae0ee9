// The method-step fixture the Python package is checked against (python/tests/fixtures/method_steps.json,
// written by scripts/method-steps-fixture.mjs) must still be what the page's method code computes: if a
// multi-teacher, REFILLED or data-free loss, its modules' seeding or the generator changes, this fails until
// the fixture is written again (and distillery_torch follows).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodStepsFixture } from '../../scripts/torch/methodSteps';

const committed: unknown = JSON.parse(readFileSync(new URL('../../python/tests/fixtures/method_steps.json', import.meta.url), 'utf8'));

/** Same structure; numbers equal within `tol` relative (float sums may differ in the last bits across backends). */
function mismatches(got: unknown, expected: unknown, at: string, out: string[] = [], tol = 1e-5): string[] {
  if (typeof expected === 'number' && typeof got === 'number') {
    if (Math.abs(got - expected) > tol * Math.max(1, Math.abs(expected))) out.push(`${at}: ${got} != ${expected}`);
  } else if (Array.isArray(expected) && Array.isArray(got) && got.length === expected.length) {
    expected.forEach((e, i) => mismatches(got[i], e, `${at}[${i}]`, out, tol));
  } else if (expected && typeof expected === 'object' && got && typeof got === 'object' && !Array.isArray(got)) {
    const keys = Object.keys(expected);
    if (keys.join() !== Object.keys(got).join()) out.push(`${at}: keys ${Object.keys(got).join()} != ${keys.join()}`);
    else for (const key of keys) mismatches((got as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${at}.${key}`, out, tol);
  } else if (got !== expected) out.push(`${at}: ${JSON.stringify(got)} != ${JSON.stringify(expected)}`);
  return out;
}

describe('the method-step fixture of the Python package', () => {
  it('method_steps.json: the page still computes these loss terms, diagnostics and module seeds', async () => {
    // The page runs (minutes on the CPU backend) are left out here; the script rewrites them.
    const fresh: unknown = JSON.parse(JSON.stringify(await methodStepsFixture({ withPageRuns: false })));
    const { pageRuns: _pageRuns, ...steps } = committed as Record<string, unknown>;
    expect(mismatches(fresh, steps, 'method_steps').slice(0, 5)).toEqual([]);
  }, 180_000);

  it('compares: a changed term is reported', () => {
    expect(mismatches({ a: { kd: 0.5 } }, { a: { kd: 0.51 } }, 'x')).toEqual(['x.a.kd: 0.5 != 0.51']);
    expect(mismatches({ a: 1 }, { b: 1 }, 'x')).toEqual(['x: keys a != b']);
  });
});
