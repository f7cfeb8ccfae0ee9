#!/usr/bin/env node
// Writes python/tests/fixtures/lrp_steps.json from the page's LRP code (scripts/torch/lrpSteps.ts, loaded
// through Vite's module runner on tfjs's CPU backend): the relevance and oracle steps the Python package must reproduce.
import { writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./torch/lrpSteps.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
const out = new URL('../python/tests/fixtures/lrp_steps.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(await module.lrpStepsFixture())}\n`);
console.log(`wrote ${out.pathname}`);
