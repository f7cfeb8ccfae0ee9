/**
 * Architecture rules, checked on real imports: the page never loads tfjs (only the worker does), worker
 * code never imports the UI, and no source file grows past ~400 lines.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Runtime import specifiers of a source file (type-only imports are erased, so they do not count). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const patterns = [/^\s*import\s+(?!type\b)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm, /^\s*export\s+(?!type\b)[^'"]*?\s+from\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next candidate */
    }
  }
  throw new Error(`${relative(root, from)} imports ${specifier}, which does not resolve`);
}

/** Every file reachable from `entry` through runtime imports, with the packages each one imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const specifiers = runtimeImports(file);
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      const local = resolveLocal(file, specifier);
      if (local) queue.push(local);
    }
  }
  return graph;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : /\.(ts|svelte)$/.test(entry.name) ? [path] : [];
  });
}

describe('architecture', () => {
  it('the page bundle never imports tfjs: it reaches the worker only through messages', () => {
    const offenders = [...importGraph(join(src, 'main.ts'))]
      .filter(([, specifiers]) => specifiers.some((s) => s.startsWith('@tensorflow/')))
      .map(([file]) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  it('the page does reach the worker, and the worker does use tfjs (the rule above is not vacuous)', () => {
    const trainer = readFileSync(join(src, 'app/trainer.svelte.ts'), 'utf8');
    expect(trainer).toMatch(/new Worker\(new URL\('\.\.\/workers\/training\.worker\.ts'/);
    const worker = [...importGraph(join(src, 'workers/training.worker.ts')).values()].flat();
    expect(worker).toContain('@tensorflow/tfjs');
    expect(worker).toContain('@tensorflow/tfjs-backend-webgpu');
  });

  it('the analysis worker (t-SNE) stays free of tfjs: it must start fast and never touch the GPU', () => {
    const offenders = [...importGraph(join(src, 'workers/analysis.worker.ts'))]
      .filter(([, specifiers]) => specifiers.some((s) => s.startsWith('@tensorflow/')))
      .map(([file]) => relative(root, file));
    expect(offenders).toEqual([]);
    expect(importGraph(join(src, 'workers/analysis.worker.ts')).size).toBeGreaterThan(1);
  });

  it('the benchmark page (bench.html) never imports tfjs either: it drives the bench worker, which does', () => {
    expect(readFileSync(join(root, 'bench.html'), 'utf8')).toContain('src="/src/bench/main.ts"');
    const offenders = [...importGraph(join(src, 'bench/main.ts'))]
      .filter(([, specifiers]) => specifiers.some((s) => s.startsWith('@tensorflow/')))
      .map(([file]) => relative(root, file));
    expect(offenders).toEqual([]);
    const client = readFileSync(join(src, 'bench/benchClient.ts'), 'utf8');
    expect(client).toMatch(/new Worker\(new URL\('\.\.\/workers\/bench\.worker\.ts'/);
    expect([...importGraph(join(src, 'workers/bench.worker.ts')).values()].flat()).toContain('@tensorflow/tfjs');
  });

  it('worker-side code imports neither Svelte nor page modules', () => {
    const workerSide = ['workers', 'training', 'models', 'methods', 'data', 'core', 'config'];
    const offenders = workerSide
      .flatMap((dir) => sourceFiles(join(src, dir)))
      .flatMap((file) => runtimeImports(file).filter((s) => s === 'svelte' || s.endsWith('.svelte') || /\/(app|viz)\//.test(s)).map((s) => `${relative(root, file)} -> ${s}`));
    expect(offenders).toEqual([]);
  });

  it('no source file is over 400 lines', () => {
    const long = sourceFiles(src)
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
