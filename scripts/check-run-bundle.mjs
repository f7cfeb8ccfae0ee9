#!/usr/bin/env node
// Parses run bundles with the page's parser (scripts/torch/checkRunBundle.ts through Vite's module runner) and
// prints what the Runs panel would import, as JSON; exits 1 with the page's message if it refuses one.
//   node scripts/check-run-bundle.mjs FILE.distillery-run.json ...
import { runnerImport } from 'vite';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-run-bundle.mjs FILE.distillery-run.json ...');
  process.exit(2);
}
const { module } = await runnerImport(new URL('./torch/checkRunBundle.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
try {
  console.log(JSON.stringify(module.checkRunBundles(files)));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
