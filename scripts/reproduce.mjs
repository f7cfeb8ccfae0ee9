#!/usr/bin/env node
// The reproduction with the page's own training code (scripts/reproduction/, loaded through Vite's module
// runner): the ready ResNet-20 distilled into a ResNet-8 by KD and the explainable oracle, with the scratch
// baseline in lockstep, seeds 1-3, on tfjs's wasm backend in Node. Resumes from its checkpoints when run again.
//   npm run reproduce -- [--seeds 1,2,3] [--epochs 15] [--methods kd,oracle] [--out reproduction/page] [--backend wasm|cpu] ...
import { runnerImport } from 'vite';

const load = (file) => runnerImport(new URL(file, import.meta.url).pathname, { configFile: false, logLevel: 'error' }).then((r) => r.module);
const fail = (error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
};

// The flags first, without tfjs: a bad one is refused at once.
const { parseReproductionArgs, USAGE } = await load('./reproduction/options.ts');
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
let options;
try {
  options = parseReproductionArgs(process.argv.slice(2));
} catch (error) {
  fail(error);
}
const { reproduce, NodeRunControl } = await load('./reproduction/reproduce.ts');
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
