#!/usr/bin/env node
// The panels' claims on the ready teachers, with the page's own code on tfjs's wasm backend
// (scripts/reproduction/teacherMeasures.ts): the oracle teacher's accuracy and ECE against the plain teacher's
// (20 bins; T fitted on test, the seed paper's protocol, and on the hold-out), and CA-MKD's weights for the
// strong ResNet-56 and the weak ResNet-20. Prints Markdown for the README.
//   npm run reproduce:teachers -- [--seeds 1,2,3] [--gammas 0.2,15] [--teachers-dir public/teachers] [--datasets-dir public/datasets]
import { fail, load, reproductionOptions } from './reproduction/entry.mjs';

const args = process.argv.slice(2);
let gammas = [0.2, 15];
const shared = [];
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--gammas') {
    const raw = args[++i] ?? '';
    gammas = raw.split(',').map(Number);
    if (raw === '' || gammas.some((g) => !Number.isFinite(g) || g <= 0 || g > 100)) fail(`--gammas takes numbers above 0 and up to 100 separated by commas, not "${raw}".`);
  } else shared.push(args[i]);
}
const options = await reproductionOptions(shared);
const { measureTeachers } = await load('./measureTeachers.ts');
try {
  console.log(await measureTeachers(options, gammas, (line) => console.error(line)));
} catch (error) {
  fail(error);
}
