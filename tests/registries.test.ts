import { describe, expect, it } from 'vitest';
import { METHOD_CATALOG, METHOD_IDS } from '../src/contract/methodCatalog';
import { METHODS } from '../src/methods/index';

describe('method registry', () => {
  it('registers exactly the catalogued methods, each with its own spec', () => {
    expect(Object.keys(METHODS).sort()).toEqual([...METHOD_IDS].sort());
    for (const id of METHOD_IDS) expect(METHODS[id].spec).toBe(METHOD_CATALOG[id]);
  });

  it('every parameter has a default inside its range and a one-line explanation', () => {
    for (const spec of Object.values(METHOD_CATALOG)) {
      for (const p of spec.params) {
        expect(p.default).toBeGreaterThanOrEqual(p.min);
        expect(p.default).toBeLessThanOrEqual(p.max);
        expect(p.help.length).toBeGreaterThan(10);
      }
    }
  });

  it('KD defaults follow RepDistiller (T 4, ceWeight 0.1, alpha 0.9)', () => {
    const defaults = Object.fromEntries(METHOD_CATALOG.kd.params.map((p) => [p.key, p.default]));
    expect(defaults).toEqual({ T: 4, alpha: 0.9, ceWeight: 0.1 });
  });
});
