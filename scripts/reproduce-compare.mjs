#!/usr/bin/env node
// The models kept by `npm run reproduce -- --keep-models on` and `npm run reproduce:pytorch -- --keep-models on`,
// set against each other image by image (scripts/reproduction/compareSides.ts, python/distillery_torch/compare_models.py).
// Takes the reproduction's flags (to name the runs: --seeds, --methods, ...) and --sides DIR,DIR[,...] (the
// reference first), --python PATH, --data DIR (CIFAR in its official layout), --json FILE (every figure).
import { writeFileSync } from 'node:fs';
import { defaultPython, fail, load, reproductionOptions, takePythonFlag } from './reproduction/entry.mjs';

const python = defaultPython();
let sides = [];
let json = null;
const shared = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 1) {
  const taken = takePythonFlag(args, i, python);
  if (taken >= 0) i = taken;
  else if (args[i] === '--sides') sides = (args[++i] ?? fail('--sides needs a value.')).split(',').filter((s) => s.trim() !== '');
  else if (args[i] === '--json') json = args[++i] ?? fail('--json needs a value.');
  else shared.push(args[i]);
}
const options = await reproductionOptions(shared);
const { compareSides } = await load('./compareSides.ts');
try {
  const comparisons = compareSides(options, sides, python, (line) => console.log(line));
  if (json) writeFileSync(json, `${JSON.stringify(comparisons, null, 2)}\n`);
} catch (error) {
  fail(error);
}
