#!/usr/bin/env node
// Writes python/tests/fixtures/method_steps.json from the page's method code (scripts/torch/methodSteps.ts,
// loaded through Vite's module runner on tfjs's CPU backend): one step's loss terms the Python package must reproduce.
import { writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./torch/methodSteps.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
const out = new URL('../python/tests/fixtures/method_steps.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(await module.methodStepsFixture())}\n`);
console.log(`wrote ${out.pathname}`);
