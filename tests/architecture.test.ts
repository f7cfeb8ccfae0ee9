/**
 * Architecture rules, checked on the project's real imports as TypeScript's parser reads them (type-only
 * imports included): every import resolves, every source file belongs to a layer, each layer imports only
 * what tests/architecture/layers.ts allows, the page never reaches tfjs, and no source file grows past ~400
 * lines. tests/architectureRules.test.ts shows each rule failing on a planted import.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectImports, sourceFiles, type ImportEdge } from './architecture/importGraph';
import { isTfjsPackage, layerOf, layerViolations } from './architecture/layers';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const edges = projectImports(root);

/** Files reachable from `entry` through imports that load code in the same bundle (not type-only, not a worker start). */
function bundled(entry: string): Map<string, ImportEdge[]> {
  const reached = new Map<string, ImportEdge[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file)) continue;
    const out = edges.filter((e) => e.from === file && (e.kind === 'static' || e.kind === 'dynamic'));
    reached.set(file, out);
    queue.push(...out.filter((e) => !e.isPackage).map((e) => e.to));
  }
  return reached;
}

function tfjsImporters(entry: string): string[] {
  return [...bundled(entry)].filter(([, out]) => out.some((e) => e.isPackage && isTfjsPackage(e.to))).map(([file]) => file);
}

describe('architecture', () => {
  it('every import of every source file resolves, and the parser sees all kinds of import', () => {
    // projectImports threw above if any did not; these prove the reading is not vacuous.
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.kind === 'type')).toBe(true);
    expect(edges.some((e) => e.kind === 'dynamic' && e.to === 'plotly.js-dist-min')).toBe(true);
    expect(edges.filter((e) => e.kind === 'worker').map((e) => e.to)).toEqual(expect.arrayContaining(['src/workers/training.worker.ts', 'src/workers/analysis.worker.ts', 'src/workers/bench.worker.ts']));
    expect(edges.some((e) => e.from.endsWith('.svelte'))).toBe(true);
  });

  it('every source file belongs to a layer', () => {
    const outside = sourceFiles(join(root, 'src'))
      .map((file) => relative(root, file))
      .filter((file) => layerOf(file) === null);
    expect(outside).toEqual([]);
  });

  it('every import keeps the folder rules', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('the page bundles (app and bench.html) never reach tfjs; the training and bench workers do', () => {
    expect(readFileSync(join(root, 'bench.html'), 'utf8')).toContain('src="/src/bench/main.ts"');
    expect(tfjsImporters('src/main.ts')).toEqual([]);
    expect(tfjsImporters('src/bench/main.ts')).toEqual([]);
    expect(bundled('src/main.ts').size).toBeGreaterThan(50);
    expect(tfjsImporters('src/workers/training.worker.ts').length).toBeGreaterThan(0);
    expect(tfjsImporters('src/workers/bench.worker.ts').length).toBeGreaterThan(0);
  });

  it('the analysis worker (t-SNE) stays free of tfjs: it must start fast and never touch the GPU', () => {
    expect(tfjsImporters('src/workers/analysis.worker.ts')).toEqual([]);
    expect(bundled('src/workers/analysis.worker.ts').size).toBeGreaterThan(1);
  });

  it('no source file is over 400 lines', () => {
    const long = sourceFiles(join(root, 'src'))
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
