// Runs every case of every *.json file in KD_REFERENCE_DIR (default ../shared/reference) through the
// project's own functions, per ../shared/reference/README.md, and ends with `reference: N/N cases passed`.
import { describe, expect, it } from 'vitest';
import { runReferenceCase } from '../src/methods/reference';
import { REFERENCE_DIR, referenceCasesByFile } from './helpers/fixtures';

const cases = referenceCasesByFile();

/** Pass/fail of each case that ran, in order; the summary counts these, so a failure shows as e.g. 24/25. */
const outcomes: boolean[] = [];

describe(`reference fixtures in ${REFERENCE_DIR}`, () => {
  it('holds at least one case', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const { file, index, c } of cases) {
    it(`${file} #${index} ${c.fn}${c.note ? ` (${c.note})` : ''}`, async () => {
      let passed = false;
      try {
        const { mismatches } = await runReferenceCase(c);
        expect(mismatches).toEqual([]);
        passed = true;
      } finally {
        outcomes.push(passed);
      }
    });
  }

  it('summary', () => {
    const passed = outcomes.filter(Boolean).length;
    console.log(`reference: ${passed}/${outcomes.length} cases passed`);
    expect(passed).toBe(outcomes.length);
  });
});
