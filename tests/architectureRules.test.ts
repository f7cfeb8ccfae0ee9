/**
 * Each architecture rule fails on a planted import: the folder rules on synthetic (file, import) pairs, the
 * import reader on planted source text, and the whole check on a planted file in a temporary project.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSites, projectImports, svelteScripts, UnresolvedImportError, type ImportEdge, type ImportKind } from './architecture/importGraph';
import { layerViolations } from './architecture/layers';

function edge(from: string, to: string, kind: ImportKind = 'static'): ImportEdge {
  return { from, to, kind, isPackage: !to.startsWith('src/') };
}

/** The violations of one planted import. */
const planted = (from: string, to: string, kind: ImportKind = 'static') => layerViolations([edge(from, to, kind)]);

describe('folder rules, on planted imports', () => {
  it('allowed imports pass', () => {
    const allowed = [
      edge('src/viz/ResultsTable.svelte', 'src/contract/protocol.ts', 'type'),
      edge('src/app/ConfigPanel.svelte', 'src/config/fields.ts'),
      edge('src/viz/confusion.ts', 'src/core/metrics.ts'),
      edge('src/app/x.ts', 'src/ui/csv.ts'),
      edge('src/viz/x.ts', 'src/client/trainer.svelte.ts', 'type'),
      edge('src/client/trainer.svelte.ts', 'src/workers/training.worker.ts', 'worker'),
      edge('src/training/run.ts', 'src/contract/protocol.ts', 'type'),
      edge('src/training/run.ts', '@tensorflow/tfjs'),
      edge('src/workers/session.ts', 'src/training/run.ts'),
      edge('src/storage/checkpointStore.ts', 'idb'),
      edge('src/main.ts', 'src/app.css'),
    ];
    expect(layerViolations(allowed)).toEqual([]);
  });

  it('the page may import only the page folders, the contract, config, core and storage', () => {
    expect(planted('src/app/x.ts', 'src/training/run.ts')).toHaveLength(1);
    expect(planted('src/viz/x.svelte', 'src/models/zoo.ts', 'type')).toHaveLength(1);
    expect(planted('src/App.svelte', 'src/methods/kd.ts')).toHaveLength(1);
    expect(planted('src/bench/main.ts', 'src/workers/benchProtocol.ts', 'type')).toHaveLength(1);
    expect(planted('src/app/x.ts', 'src/storage/worker/checkpoint.ts')).toHaveLength(1);
  });

  it('the page never imports tfjs, not even as types', () => {
    expect(planted('src/viz/x.ts', '@tensorflow/tfjs')[0]).toMatch(/tfjs is for the engine/);
    expect(planted('src/app/x.ts', '@tensorflow/tfjs-core', 'type')).toHaveLength(1);
  });

  it('viz and app never import each other, either way', () => {
    expect(planted('src/viz/x.ts', 'src/app/trainer.svelte.ts', 'type')[0]).toMatch(/viz may import only/);
    expect(planted('src/app/x.svelte', 'src/viz/ConfirmDelete.svelte')[0]).toMatch(/app may import only/);
  });

  it('shared page helpers (ui) and the worker clients (client) import neither app nor viz', () => {
    expect(planted('src/ui/csv.ts', 'src/app/format.ts')).toHaveLength(1);
    expect(planted('src/client/trainer.svelte.ts', 'src/viz/palette.ts')).toHaveLength(1);
  });

  it('core imports only core, and no package', () => {
    expect(planted('src/core/tsne.ts', 'src/contract/protocol.ts', 'type')[0]).toMatch(/core may import only core/);
    expect(planted('src/core/tsne.ts', 'idb')[0]).toMatch(/core imports only core/);
  });

  it('the contract and config import only each other and core', () => {
    expect(planted('src/contract/protocol.ts', 'src/training/run.ts', 'type')).toHaveLength(1);
    expect(planted('src/config/fields.ts', 'src/methods/kd.ts')).toHaveLength(1);
    expect(planted('src/contract/protocol.ts', '@tensorflow/tfjs')).toHaveLength(1);
  });

  it('engine folders never import workers or the page', () => {
    for (const engine of ['training/run.ts', 'data/batches.ts', 'methods/kd.ts', 'models/zoo.ts', 'storage/worker/checkpoint.ts']) {
      expect(planted(`src/${engine}`, 'src/workers/session.ts', 'type')[0]).toMatch(/not workers$/);
      expect(planted(`src/${engine}`, 'src/app/runHistory.svelte.ts')).toHaveLength(1);
      expect(planted(`src/${engine}`, 'src/viz/palette.ts', 'type')).toHaveLength(1);
    }
  });

  it('shared storage stays free of the engine; the workers never import the page', () => {
    expect(planted('src/storage/modelStore.ts', 'src/models/network.ts', 'type')).toHaveLength(1);
    expect(planted('src/workers/session.ts', 'src/app/format.ts')).toHaveLength(1);
  });

  it('only the page starts workers, and only worker entries', () => {
    expect(planted('src/app/x.ts', 'src/workers/session.ts', 'worker')[0]).toMatch(/only a worker entry/);
    expect(planted('src/training/run.ts', 'src/workers/training.worker.ts', 'worker')[0]).toMatch(/only the page starts workers/);
  });

  it('a file outside every layer, or an import of one, is reported', () => {
    expect(planted('src/misc/x.ts', 'src/core/random.ts')[0]).toMatch(/is in no layer/);
    expect(planted('src/app/x.ts', 'src/misc/x.ts')[0]).toMatch(/is in no layer/);
  });
});

describe('the import reader', () => {
  it('reads type-only, dynamic and worker imports, and re-exports', () => {
    const text = [
      "import type { A } from './a';",
      "import { type B, type C } from './b';",
      "import { D, type E } from './d';",
      "import './side-effect';",
      "export { F } from './f';",
      "export type { G } from './g';",
      "type H = import('./h').H;",
      "const lazy = () => import('plotly.js-dist-min');",
      "const w = new Worker(new URL('../workers/x.worker.ts', import.meta.url));",
    ].join('\n');
    expect(importSites(text)).toEqual([
      { specifier: './a', kind: 'type' },
      { specifier: './b', kind: 'type' },
      { specifier: './d', kind: 'static' },
      { specifier: './side-effect', kind: 'static' },
      { specifier: './f', kind: 'static' },
      { specifier: './g', kind: 'type' },
      { specifier: './h', kind: 'type' },
      { specifier: 'plotly.js-dist-min', kind: 'dynamic' },
      { specifier: '../workers/x.worker.ts', kind: 'worker' },
    ]);
  });

  it('reads a Svelte file through its script blocks', () => {
    const svelte = '<script module>import { a } from "./a";</script>\n<script lang="ts">\n  import type { B } from "./b";\n</script>\n<p>import x from "nowhere"</p>';
    expect(importSites(svelteScripts(svelte)).map((s) => s.specifier)).toEqual(['./a', './b']);
  });
});

describe('the whole check, on a planted file in a temporary project', () => {
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'distillery-arch-'));
    const all = { 'package.json': JSON.stringify({ dependencies: { idb: '*' } }), 'node_modules/idb/package.json': '{}', ...files };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  it('finds a planted type-only import of the workers from the engine', () => {
    const dir = project({
      'src/workers/protocol.ts': 'export type X = number;',
      'src/training/run.ts': "import type { X } from '../workers/protocol';\nexport const x: X = 1;",
    });
    try {
      expect(layerViolations(projectImports(dir))).toEqual(['src/training/run.ts imports src/workers/protocol.ts (type-only): training may import only training, methods, models, data, storage/worker, contract, config, core, storage, interop, lessons; not workers']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('fails on an import that does not resolve, and on an undeclared package', () => {
    for (const [text, why] of [
      ["import { y } from './missing';", /does not resolve/],
      ["import { openDB } from 'idb/with-async-ittr';\nimport x from 'left-pad';", /does not declare/],
      ["const m = import(name);", /computed specifier/],
    ] as const) {
      const dir = project({ 'src/core/a.ts': text });
      try {
        expect(() => projectImports(dir)).toThrow(UnresolvedImportError);
        expect(() => projectImports(dir)).toThrow(why);
      } finally {
        rmSync(dir, { recursive: true });
      }
    }
  });
});
