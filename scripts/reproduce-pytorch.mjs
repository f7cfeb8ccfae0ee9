#!/usr/bin/env node
// The reproduction's PyTorch side (scripts/reproduction/pytorchSide.ts): the runs of `npm run reproduce`,
// exported as the page's PyTorch zip and run by `python3 -m distillery_torch` (one thread). Takes the same
// flags (out defaults to reproduction/pytorch) and: --python PATH, --data DIR (CIFAR in its official layout,
// default ../shared/datasets/cifar10-subset), --threads N. A run with a bundle is skipped.
import { runnerImport } from 'vite';

const ROOT = new URL('..', import.meta.url).pathname;
const load = (file) => runnerImport(new URL(file, import.meta.url).pathname, { configFile: false, logLevel: 'error' }).then((r) => r.module);
const fail = (error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
};

const side = { python: process.env.PYTHON ?? '/usr/bin/python3', data: `${ROOT}../shared/datasets/cifar10-subset`, threads: 1, packageDir: `${ROOT}python` };
const shared = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 1) {
  const flag = args[i];
  if (flag === '--python' || flag === '--data') side[flag.slice(2)] = args[++i] ?? fail(`${flag} needs a value.`);
  else if (flag === '--threads') {
    const raw = args[++i] ?? '';
    if (!/^[1-9]\d*$/.test(raw)) fail(`--threads takes a whole number from 1, not "${raw}".`);
    side.threads = Number(raw);
  } else shared.push(flag);
}
const { parseReproductionArgs, DEFAULT_OPTIONS } = await load('./reproduction/options.ts');
let options;
try {
  options = parseReproductionArgs(shared, { ...DEFAULT_OPTIONS, out: 'reproduction/pytorch' });
} catch (error) {
  fail(error);
}
const { reproducePytorch } = await load('./reproduction/pytorchSide.ts');
try {
  reproducePytorch(options, side, (line) => console.log(line));
} catch (error) {
  fail(error);
}
