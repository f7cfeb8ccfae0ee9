#!/usr/bin/env node
/**
 * Exports a playground link as a `.distillery-pytorch.zip` for `python3 -m distillery_torch` / torchrun,
 * the same file the page's "Run it on PyTorch" downloads:
 *
 *   npm run export-pytorch -- 'LINK OR QUERY' [--teacher FILE] [--out DIR] [--datasets DIR]
 *
 * --teacher: the saved teacher the link names (savedTeacher=m-...), as a .safetensors/.pth checkpoint or a
 * saved model's .json with its .weights.bin beside it. --datasets: where the dataset manifests are
 * (default public/datasets, which `npm run setup` fills). The TypeScript runs through Vite's module runner,
 * the same source the page bundles.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';

const USAGE = "usage: npm run export-pytorch -- 'LINK OR QUERY' [--teacher FILE] [--out DIR] [--datasets DIR]";
const ROOT = new URL('..', import.meta.url).pathname;

async function main() {
  const { values: options, positionals } = parseArgs({
    allowPositionals: true,
    options: { teacher: { type: 'string' }, out: { type: 'string', default: '.' }, datasets: { type: 'string', default: join(ROOT, 'public', 'datasets') } },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const { module } = await runnerImport(join(ROOT, 'scripts/pytorchRun/exportFromLink.ts'), { configFile: false, logLevel: 'error' });
  const { exported, messages } = module.exportFromLink({
    link: positionals[0],
    teacher: options.teacher === undefined ? undefined : resolve(options.teacher),
    datasets: resolve(options.datasets),
    now: Date.now(),
  });
  for (const message of messages) console.log(message);
  await mkdir(options.out, { recursive: true });
  const path = join(options.out, exported.fileName);
  await writeFile(path, exported.bytes);
  const teachers = exported.runJson.teachers.map((t) => `, teacher ${t.model} from the file`).join('');
  console.log(`wrote ${path} (${exported.runJson.config.method}, ${exported.bytes.length} bytes${teachers}); run it with: python3 -m distillery_torch --config ${path} --data DIR --out results`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
