/**
 * The bundle check (buildChecks/chunkModules.ts): from the bundler's chunk list it finds tfjs in a page
 * chunk, so `npm run build` fails on it; shown here on a planted bundle, and on the real build when one
 * exists (the end-to-end suite checks the scripts the page really loads against the same list).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHUNK_MODULES_FILE, chunkRecords, pageTfjsModules, type BundleLike, type ChunkModules } from '../buildChecks/chunkModules';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const bundle = (modules: string[]): BundleLike => ({
  'assets/main.js': { type: 'chunk', fileName: 'assets/main.js', isEntry: true, moduleIds: modules.map((m) => `${root}/${m}`) },
  'assets/style.css': { type: 'asset', fileName: 'assets/style.css' },
});

describe('the page chunk check', () => {
  it('reads chunks, not assets, with module ids relative to the project', () => {
    expect(chunkRecords('page', bundle(['src/main.ts']), root)).toEqual([{ build: 'page', fileName: 'assets/main.js', isEntry: true, modules: ['src/main.ts'] }]);
  });

  it('passes a page free of tfjs, and tfjs in a worker chunk', () => {
    const worker = chunkRecords('worker', bundle(['node_modules/@tensorflow/tfjs-core/dist/index.js']), root);
    expect(pageTfjsModules([...chunkRecords('page', bundle(['src/main.ts', 'node_modules/svelte/src/index.js']), root), ...worker])).toEqual([]);
  });

  it('fails on a tfjs module planted in a page chunk', () => {
    const planted = chunkRecords('page', bundle(['src/main.ts', 'node_modules/@tensorflow/tfjs-core/dist/ops/add.js']), root);
    expect(pageTfjsModules(planted)).toEqual(['assets/main.js: node_modules/@tensorflow/tfjs-core/dist/ops/add.js']);
  });

  const built = join(root, 'dist', CHUNK_MODULES_FILE);
  it.skipIf(!existsSync(built))('the last build: its page chunks hold the app and no tfjs; the training worker holds tfjs', () => {
    const { chunks } = JSON.parse(readFileSync(built, 'utf8')) as ChunkModules;
    expect(pageTfjsModules(chunks)).toEqual([]);
    expect(chunks.some((c) => c.build === 'page' && c.modules.includes('src/main.ts'))).toBe(true);
    expect(chunks.some((c) => c.build === 'worker' && c.modules.includes('src/workers/training.worker.ts') && c.modules.some((m) => m.includes('@tensorflow/')))).toBe(true);
  });
});
