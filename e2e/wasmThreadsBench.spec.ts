/**
 * Whether WebAssembly threads make training faster in the page: the bench page's training step on `wasm`,
 * once where the page is cross-origin isolated (`vite preview`, COOP and COEP: tfjs's XNNPACK pool gets its
 * threads) and once on a plain static host without those headers (one thread), in rounds that alternate
 * which side goes first, so that other load on the machine falls on both. Not a test (CI skips it):
 * `npm run bench:wasm-threads` prints each round and writes bench/results-wasm-threads.json.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchPageApi } from '../src/bench/main';
import type { ThroughputResult } from '../src/contract/benchProtocol';
import { imagesPerSecond as rate, median } from '../bench/report.mjs';
import { startPlainStaticServer } from './plainStaticServer';

const MODELS = ['tiny-cnn', 'resnet8'] as const;
const ROUNDS = Number(process.env.WASM_THREADS_ROUNDS ?? 5);
const STEP = { method: 'scratch', batch: 64, warmupSteps: 2, timedSteps: 8 } as const;

test.skip(process.env.WASM_THREADS_BENCH !== '1', 'a measurement: npm run bench:wasm-threads');

type Side = 'threads' | 'single';

/** The bench page at `url` with a `wasm` worker that has loaded the CIFAR-10 subset; says how many threads it got. */
async function wasmBenchPage(browser: Browser, url: string): Promise<{ page: Page; threads: string }> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.distilleryBench !== undefined);
  const init = await page.evaluate(() => window.distilleryBench!.run('wasm', { kind: 'init', backend: 'wasm' }));
  expect(init.backend).toBe('wasm');
  await page.evaluate(async () => {
    const bench = window.distilleryBench!;
    await bench.run('wasm', { kind: 'dataset', baseUrl: bench.datasetsBaseUrl(), name: 'cifar10-subset', repeats: 1 });
  });
  return { page, threads: init.threads ?? 'not reported' };
}

/** Images per second of the app's own step over its median timed step, as `npm run bench` reports it. */
async function imagesPerSecond(page: Page, model: (typeof MODELS)[number]): Promise<number> {
  const result: ThroughputResult = await page.evaluate((task) => window.distilleryBench!.run('wasm', { kind: 'throughput', ...task }), { ...STEP, model });
  return rate(STEP.batch, median(result.ours.stepSeconds));
}

test('WebAssembly training step: two threads against one', async ({ browser, baseURL }) => {
  test.setTimeout(30 * 60_000);
  const plain = await startPlainStaticServer('dist');
  try {
    const sides: Record<Side, { page: Page; threads: string }> = {
      threads: await wasmBenchPage(browser, new URL('bench.html', baseURL).href),
      single: await wasmBenchPage(browser, new URL('bench.html', plain.url).href),
    };
    expect(sides.threads.threads).toMatch(/^\d+ threads$/);
    expect(sides.single.threads).toMatch(/single-threaded/);
    const rates: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const model of MODELS) {
        for (const side of (round % 2 === 0 ? ['threads', 'single'] : ['single', 'threads']) as Side[]) {
          const rate = await imagesPerSecond(sides[side].page, model);
          (rates[`${model} ${side}`] ??= []).push(rate);
          console.log(`round ${round + 1}: ${model} ${side === 'threads' ? sides.threads.threads : 'one thread'} ${rate.toFixed(1)} images/s`);
        }
      }
    }
    const rows = MODELS.map((model) => {
      const threads = median(rates[`${model} threads`]!);
      const single = median(rates[`${model} single`]!);
      return { model, threads, single, ratio: threads / single };
    });
    for (const row of rows) console.log(`${row.model}: median ${row.threads.toFixed(1)} images/s on ${sides.threads.threads}, ${row.single.toFixed(1)} on one, ${row.ratio.toFixed(2)}x`);
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
    writeFileSync('bench/results-wasm-threads.json', `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtEnd: load, step: STEP, threads: sides.threads.threads, rounds: ROUNDS, rates, rows }, null, 2)}\n`);
  } finally {
    await plain.close();
  }
});
