/**
 * Reads run bundles with the page's own parser (`parseRunBundle`, what the Runs panel's Import calls), for
 * the Python package's tests: a bundle written by `python3 -m distillery_torch` must import unchanged.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseRunBundle } from '../../src/storage/page/runBundle';

export function checkRunBundles(paths: readonly string[]): { file: string; name: string; learners: string[]; epochs: number; results: number; diagnostics: string[]; notes: readonly string[] }[] {
  return paths.map((path) => {
    const { run, notes } = parseRunBundle(readFileSync(path, 'utf8'), { newId: () => 'checked', now: 0, fileName: basename(path) });
    // The diagnostics the "Inside the method" panel draws: every name any epoch carries.
    const diagnostics = [...new Set(run.epochs.flatMap((e) => Object.keys(e.diagnostics ?? {})))].sort();
    return { file: basename(path), name: run.name, learners: run.learners.map((l) => l.key), epochs: run.epochs.length, results: run.results.length, diagnostics, notes };
  });
}
