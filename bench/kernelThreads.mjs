#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:kernel-threads [-- --threads 2 --rounds 5]`: the app's training step at batch 64 on the wasm
 * backend in Node, with the project's training kernels (kernels/) on one thread and on `--threads`, in rounds
 * that alternate which goes first. tfjs's own kernels run on one thread in Node either way, so the ratio is
 * what the kernel threads alone give. Writes bench/results-kernel-threads.json.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { median } from './report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = ['tiny-cnn', 'resnet8'];
const BATCH = 64;
const STEPS = { warmup: 2, timed: 10 };

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' } } });
const threads = Number(values.threads);
const rounds = Number(values.rounds);
if (!Number.isInteger(threads) || threads < 2 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: npm run bench:kernel-threads -- [--threads N (2 or more)] [--rounds N]');
  process.exit(2);
}

const server = await createServer({ root: ROOT, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
try {
  const steps = await server.ssrLoadModule('/bench/node/trainStep.ts');
  const kernels = await server.ssrLoadModule('/src/training/wasm/kernelModule.ts');
  const { spawnNodeKernelThread } = await server.ssrLoadModule('/scripts/nodeKernelThreads.ts');
  /** @type {Record<string, number[]>} */
  const rates = {};
  for (const model of MODELS) {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [1, threads] : [threads, 1];
      for (const count of order) {
        if (count > 1) await kernels.startKernelThreads(count, spawnNodeKernelThread);
        else kernels.stopKernelThreads();
        const rate = (await steps.timeTrainingSteps('wasm', model, BATCH, STEPS.warmup, STEPS.timed)).imagesPerSecond;
        (rates[`${model} ${count}`] ??= []).push(rate);
        console.log(`round ${round + 1}: ${model}, kernels on ${count} thread(s): ${rate.toFixed(1)} images/s`);
      }
    }
  }
  kernels.stopKernelThreads();
  const rows = MODELS.map((model) => {
    const one = median(rates[`${model} 1`] ?? []);
    const many = median(rates[`${model} ${threads}`] ?? []);
    console.log(`${model}: median ${many.toFixed(1)} images/s with the kernels on ${threads} threads, ${one.toFixed(1)} on one, ${(many / one).toFixed(2)}x`);
    return { model, oneThread: one, threads: many, speedup: many / one };
  });
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverageAtEnd: os.loadavg(), node: process.version };
  const results = { date: new Date().toISOString(), machine, batch: BATCH, steps: STEPS, threads, rounds, rates, rows };
  writeFileSync(join(ROOT, 'bench', 'results-kernel-threads.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await server.close();
}
