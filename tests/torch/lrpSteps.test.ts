// The LRP fixture the Python package is checked against (python/tests/fixtures/lrp_steps.json, written by
// scripts/lrp-steps-fixture.mjs) must still be what the page's LRP code computes: if a rule, a family's
// walk, the BatchNorm folding or the oracle's x* changes, this fails until the fixture is written again
// (and distillery_torch/lrp.py follows).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lrpStepsFixture } from '../../scripts/torch/lrpSteps';
import { mismatches } from './fixtureCompare';

const committed: unknown = JSON.parse(readFileSync(new URL('../../python/tests/fixtures/lrp_steps.json', import.meta.url), 'utf8'));

describe('the LRP fixture of the Python package', () => {
  it('lrp_steps.json: the page still computes these relevance maps and oracle steps', async () => {
    const fresh: unknown = JSON.parse(JSON.stringify(await lrpStepsFixture()));
    expect(mismatches(fresh, committed, 'lrp_steps').slice(0, 5)).toEqual([]);
  }, 300_000);
});
