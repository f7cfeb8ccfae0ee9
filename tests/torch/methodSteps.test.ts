// The method-step fixture the Python package is checked against (python/tests/fixtures/method_steps.json,
// written by scripts/method-steps-fixture.mjs) must still be what the page's method code computes: if a
// multi-teacher, REFILLED or data-free loss, its modules' seeding or the generator changes, this fails until
// the fixture is written again (and distillery_torch follows).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { methodStepsFixture } from '../../scripts/torch/methodSteps';
import { mismatches } from './fixtureCompare';

const committed: unknown = JSON.parse(readFileSync(new URL('../../python/tests/fixtures/method_steps.json', import.meta.url), 'utf8'));

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
