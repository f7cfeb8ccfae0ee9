/** Comparing a fixture the page writes for the Python package with what the page computes now. */

/** Same structure; numbers equal within `tol` relative (float sums may differ in the last bits across backends). */
export function mismatches(got: unknown, expected: unknown, at: string, out: string[] = [], tol = 1e-5): string[] {
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
