/**
 * The folder rules, as a pure function over resolved imports: which layer each source file belongs to, and
 * which layers and packages each layer may import. The architecture tests feed it the project's real imports
 * (tests/architecture.test.ts) and planted ones (tests/architectureRules.test.ts).
 */
import type { ImportEdge } from './importGraph';

/** The page: its root, its folders, and the page side of storage. Runs in the window; never loads tfjs. */
export const PAGE_LAYERS = ['page root', 'app', 'viz', 'ui', 'client', 'bench', 'check', 'storage/page'] as const;
/**
 * What both sides use: messages and results, catalogs, the config table, tfjs-free storage, pure math, and
 * the PyTorch file formats (interop: readers, writers, state_dict names; no tfjs, no DOM), and the lessons
 * (their steps as data and the judges of their questions).
 */
export const SHARED_LAYERS = ['contract', 'config', 'core', 'storage', 'interop', 'lessons'] as const;
/** The engine: runs only in a worker, with tfjs. */
export const ENGINE_LAYERS = ['training', 'methods', 'models', 'data', 'storage/worker'] as const;
/** Worker entry points and what only they use. */
export const WORKER_LAYERS = ['workers'] as const;

export type Layer = (typeof PAGE_LAYERS)[number] | (typeof SHARED_LAYERS)[number] | (typeof ENGINE_LAYERS)[number] | (typeof WORKER_LAYERS)[number];

const SHARED: readonly Layer[] = SHARED_LAYERS;
const ENGINE: readonly Layer[] = ENGINE_LAYERS;

/**
 * Which layers each layer may import (type-only imports included). `viz` and `app` never import each other:
 * what both need lives in `ui` (helpers), `client` (the page's worker clients and their state) or storage.
 */
export const ALLOWED_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  'page root': [...PAGE_LAYERS, ...SHARED],
  app: ['app', 'client', 'ui', 'storage/page', ...SHARED],
  viz: ['viz', 'client', 'ui', 'storage/page', ...SHARED],
  bench: ['bench', 'viz', 'client', 'ui', ...SHARED],
  check: ['check', 'client', 'ui', ...SHARED],
  client: ['client', 'ui', 'storage/page', ...SHARED],
  'storage/page': ['storage/page', 'ui', ...SHARED],
  ui: ['ui', ...SHARED],
  contract: ['contract', 'config', 'core'],
  config: ['config', 'contract', 'core'],
  storage: ['storage', 'contract', 'config', 'core'],
  interop: ['interop', 'contract', 'core'],
  lessons: ['lessons', 'contract', 'config', 'core'],
  core: ['core'],
  training: [...ENGINE, ...SHARED],
  methods: [...ENGINE, ...SHARED],
  models: [...ENGINE, ...SHARED],
  data: [...ENGINE, ...SHARED],
  'storage/worker': [...ENGINE, ...SHARED],
  workers: ['workers', ...ENGINE, ...SHARED],
};

/** Packages that load tfjs: only the engine and the workers may import them. */
export function isTfjsPackage(name: string): boolean {
  return name.startsWith('@tensorflow/');
}

const TFJS_LAYERS: readonly Layer[] = [...ENGINE, 'workers'];

/** The layer of a project path (`src/...`), or null for a file outside every layer. */
export function layerOf(path: string): Layer | null {
  // Files directly in src/ are the page's root: main.ts, App.svelte, the page's stylesheet.
  if (/^src\/[^/]+$/.test(path)) return 'page root';
  const match = /^src\/([^/]+)\/(?:([^/]+)\/)?/.exec(path);
  if (!match) return null;
  const [, folder, sub] = match;
  if (folder === 'storage' && (sub === 'page' || sub === 'worker')) return `storage/${sub}`;
  const all: readonly string[] = [...PAGE_LAYERS, ...SHARED_LAYERS, ...ENGINE_LAYERS, ...WORKER_LAYERS];
  return all.includes(folder!) && folder !== 'page root' ? (folder as Layer) : null;
}

/** A worker entry the page may start with `new Worker(new URL(..., import.meta.url))`. */
export function isWorkerEntry(path: string): boolean {
  return /^src\/workers\/[^/]+\.worker\.ts$/.test(path);
}

/** Every import that breaks a folder rule, as a readable line; empty when all hold. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const violations: string[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.from);
    const what = `${edge.from} imports ${edge.to}${edge.kind === 'type' ? ' (type-only)' : ''}`;
    if (!from) {
      violations.push(`${what}: ${edge.from} is in no layer (add its folder to tests/architecture/layers.ts)`);
      continue;
    }
    if (edge.isPackage) {
      if (isTfjsPackage(edge.to) && !TFJS_LAYERS.includes(from)) violations.push(`${what}: tfjs is for the engine and the workers only, not ${from}`);
      else if (from === 'core') violations.push(`${what}: core imports only core`);
      continue;
    }
    if (edge.kind === 'worker') {
      if (!isWorkerEntry(edge.to)) violations.push(`${what}: new URL(..., import.meta.url) may name only a worker entry (src/workers/*.worker.ts)`);
      else if (!(PAGE_LAYERS as readonly Layer[]).includes(from) && from !== 'workers') violations.push(`${what}: only the page starts workers`);
      continue;
    }
    const to = layerOf(edge.to);
    if (!to) violations.push(`${what}: ${edge.to} is in no layer`);
    else if (!ALLOWED_IMPORTS[from].includes(to)) violations.push(`${what}: ${from} may import only ${ALLOWED_IMPORTS[from].join(', ')}; not ${to}`);
  }
  return violations;
}
