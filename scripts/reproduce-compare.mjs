#!/usr/bin/env node
// The models kept by `npm run reproduce -- --keep-models on` and `npm run reproduce:pytorch -- --keep-models on`,
// set against each other image by image (scripts/reproduction/compareSides.ts, python/distillery_torch/compare_models.py).
// Takes the reproduction's flags (to name the runs: --seeds, --methods, ...) and --sides DIR,DIR[,...] (the
// reference first), --python PATH, --data DIR (CIFAR in its official layout), --json FILE (every figure).
import { writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const ROOT = new URL('..', import.meta.url).pathname;
const load = (file) => runnerImport(new URL(file, import.meta.url).pathname, { configFile: false, logLevel: 'error' }).then((r) => r.module);
const fail = (error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
};

const python = { python: process.env.PYTHON ?? '/usr/bin/python3', data: `${ROOT}../shared/datasets/cifar10-subset`, packageDir: `${ROOT}python` };
let sides = [];
let json = null;
const shared = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 1) {
  const flag = args[i];
  if (flag === '--python' || flag === '--data') python[flag.slice(2)] = args[++i] ?? fail(`${flag} needs a value.`);
  else if (flag === '--sides') sides = (args[++i] ?? fail('--sides needs a value.')).split(',').filter((s) => s.trim() !== '');
  else if (flag === '--json') json = args[++i] ?? fail('--json needs a value.');
  else shared.push(flag);
}
const { parseReproductionArgs } = await load('./reproduction/options.ts');
let options;
try {
  options = parseReproductionArgs(shared);
} catch (error) {
  fail(error);
}
const { compareSides } = await load('./reproduction/compareSides.ts');
try {
  const comparisons = compareSides(options, sides, python, (line) => console.log(line));
  if (json) writeFileSync(json, `${JSON.stringify(comparisons, null, 2)}\n`);
} catch (error) {
  fail(error);
}
