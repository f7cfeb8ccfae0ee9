#!/usr/bin/env node
// The reproduction with the page's own training code (scripts/reproduction/, loaded through Vite's module
// runner): the ready ResNet-20 distilled into a ResNet-8 by KD and the explainable oracle, with the scratch
// baseline in lockstep, seeds 1-3, on tfjs's wasm backend in Node. Resumes from its checkpoints when run again.
//   npm run reproduce -- [--seeds 1,2,3] [--epochs 15] [--methods kd,oracle] [--out reproduction/page] [--backend wasm|cpu] ...
import { fail, load, reproductionOptions } from './reproduction/entry.mjs';

// The flags first, without tfjs: a bad one is refused at once.
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log((await load('./options.ts')).USAGE);
  process.exit(0);
}
const options = await reproductionOptions(process.argv.slice(2));
const { reproduce, NodeRunControl } = await load('./reproduce.ts');
// Ctrl-C (or kill) stops the run in progress within one batch; its checkpoint of the last finished epoch stays.
let current = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!current) process.exit(130);
    console.log(`${signal}: stopping; the next run of this command resumes from the last finished epoch`);
    current.stop();
    current = null;
  });
}
try {
  const report = await reproduce(options, { log: (line) => console.log(line), control: () => (current = new NodeRunControl()) });
  process.exit(report.complete ? 0 : 130);
} catch (error) {
  fail(error);
}
