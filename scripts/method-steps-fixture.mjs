#!/usr/bin/env node
// Writes python/tests/fixtures/method_steps.json from the page's method code (scripts/torch/methodSteps.ts,
// loaded through Vite's module runner on tfjs's CPU backend): one step's loss terms the Python package must reproduce.
import { readFileSync, writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./torch/methodSteps.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
const out = new URL('../python/tests/fixtures/method_steps.json', import.meta.url);
// `--page-run <method>` rewrites only that method's page run in the existing file (the whole takes long on a busy machine).
const only = process.argv.indexOf('--page-run');
if (only >= 0) {
  const method = process.argv[only + 1];
  if (!module.PAGE_RUN_METHODS.includes(method)) throw new Error(`--page-run takes one of ${module.PAGE_RUN_METHODS.join(', ')}, not ${method}`);
  const fixture = JSON.parse(readFileSync(out, 'utf8'));
  fixture.pageRuns[method] = JSON.parse(JSON.stringify(await module.pageRun(method)));
  writeFileSync(out, `${JSON.stringify(fixture)}\n`);
  console.log(`rewrote the ${method} page run in ${out.pathname}`);
} else {
  writeFileSync(out, `${JSON.stringify(await module.methodStepsFixture())}\n`);
  console.log(`wrote ${out.pathname}`);
}
