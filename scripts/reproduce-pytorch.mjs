#!/usr/bin/env node
// The reproduction's PyTorch side (scripts/reproduction/pytorchSide.ts): the runs of `npm run reproduce`,
// exported as the page's PyTorch zip and run by `python3 -m distillery_torch` (one thread). Takes the same
// flags (out defaults to reproduction/pytorch) and: --python PATH, --data DIR (CIFAR in its official layout,
// default ../shared/datasets/cifar10-subset), --threads N, --nudge-init (every initial weight one float step
// off: the float-noise control). A run with a bundle is skipped.
import { defaultPython, fail, load, reproductionOptions, takePythonFlag } from './reproduction/entry.mjs';

const side = { ...defaultPython(), threads: 1, nudgeInit: false };
const shared = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 1) {
  const taken = takePythonFlag(args, i, side);
  if (taken >= 0) i = taken;
  else if (args[i] === '--threads') {
    const raw = args[++i] ?? '';
    if (!/^[1-9]\d*$/.test(raw)) fail(`--threads takes a whole number from 1, not "${raw}".`);
    side.threads = Number(raw);
  } else if (args[i] === '--nudge-init') side.nudgeInit = true;
  else shared.push(args[i]);
}
const options = await reproductionOptions(shared, { out: 'reproduction/pytorch' });
const { reproducePytorch } = await load('./pytorchSide.ts');
try {
  reproducePytorch(options, side, (line) => console.log(line));
} catch (error) {
  fail(error);
}
