/**
 * A Vite plugin that records, from the bundler's own module graph, which source modules went into which
 * output chunk, for the page build and for each worker build, and writes the list to
 * `dist/chunk-modules.json`. The build fails when a page chunk holds a tfjs module (tfjs belongs in the
 * training worker only); the end-to-end suite reads the list to check the scripts the page really loaded.
 */
import { relative, sep } from 'node:path';
import type { Plugin } from 'vite';

export const CHUNK_MODULES_FILE = 'chunk-modules.json';

export interface ChunkRecord {
  /** `page`: a chunk the HTML pages load (statically or lazily); `worker`: a chunk of a worker's own bundle. */
  readonly build: 'page' | 'worker';
  readonly fileName: string;
  readonly isEntry: boolean;
  /** Source modules in the chunk, relative to the project root (packages keep their node_modules path). */
  readonly modules: readonly string[];
}

export interface ChunkModules {
  readonly chunks: readonly ChunkRecord[];
}

/** What a bundle hands to `generateBundle`, reduced to what is read here (Rollup and Rolldown agree on it). */
export type BundleLike = Readonly<Record<string, { readonly type: string; readonly fileName: string; readonly isEntry?: boolean; readonly moduleIds?: readonly string[] }>>;

export function isTfjsModule(id: string): boolean {
  return /node_modules\/@tensorflow\//.test(id);
}

export function chunkRecords(build: ChunkRecord['build'], bundle: BundleLike, root: string): ChunkRecord[] {
  const tidy = (id: string) => (id.startsWith(root) ? relative(root, id).split(sep).join('/') : id.replace(/^\0/, ''));
  return Object.values(bundle)
    .filter((output) => output.type === 'chunk')
    .map((chunk) => ({ build, fileName: chunk.fileName, isEntry: chunk.isEntry ?? false, modules: (chunk.moduleIds ?? []).map(tidy) }));
}

/** Every tfjs module inside a page chunk, as `chunk: module`; empty when the page is free of tfjs. */
export function pageTfjsModules(chunks: readonly ChunkRecord[]): string[] {
  return chunks.filter((c) => c.build === 'page').flatMap((c) => c.modules.filter(isTfjsModule).map((m) => `${c.fileName}: ${m}`));
}

/**
 * Two plugins sharing one record: `worker` goes in `worker.plugins` (each worker is bundled on its own,
 * before the page's bundle is written), `page` in `plugins`, where the record is checked and written.
 */
export function chunkModules(): { page: Plugin; worker: () => Plugin } {
  const workerChunks: ChunkRecord[] = [];
  let root = process.cwd();
  const worker = (): Plugin => ({
    name: 'distillery:chunk-modules-worker',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    generateBundle(_options, bundle) {
      workerChunks.push(...chunkRecords('worker', bundle as unknown as BundleLike, root));
    },
  });
  const page: Plugin = {
    name: 'distillery:chunk-modules',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    generateBundle(_options, bundle) {
      const chunks = [...chunkRecords('page', bundle as unknown as BundleLike, root), ...workerChunks];
      const offenders = pageTfjsModules(chunks);
      if (offenders.length > 0) {
        const more = offenders.length > 20 ? `\n... and ${offenders.length - 20} more` : '';
        this.error(`tfjs is bundled into the page (it belongs in the worker only), ${offenders.length} modules:\n${offenders.slice(0, 20).join('\n')}${more}`);
      }
      const record: ChunkModules = { chunks };
      this.emitFile({ type: 'asset', fileName: CHUNK_MODULES_FILE, source: `${JSON.stringify(record, null, 1)}\n` });
    },
  };
  return { page, worker };
}
