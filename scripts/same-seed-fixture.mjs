#!/usr/bin/env node
// Writes python/tests/fixtures/same_seed.json and zoo_names.json from the page's code (scripts/torch/sameSeed.ts,
// loaded through Vite's module runner on tfjs's CPU backend): what the Python package must reproduce.
import { mkdirSync, writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./torch/sameSeed.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' });
const out = new URL('../python/tests/fixtures/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('same_seed.json', out), `${JSON.stringify(await module.sameSeedFixture())}\n`);
writeFileSync(new URL('zoo_names.json', out), `${JSON.stringify(await module.zooNameTable())}\n`);
console.log(`wrote ${new URL('same_seed.json', out).pathname} and zoo_names.json`);
