/**
 * The benchmark page (bench.html): no UI of its own beyond a log. It exposes `window.distilleryBench` for
 * the Node runner (bench/run.mjs), which drives it through Playwright. tfjs-free: the work happens in the
 * bench workers.
 */
import { datasetsBaseUrl } from '../client/datasets';
import type { BenchResults, BenchTask } from '../contract/benchProtocol';
import { BenchClient } from './benchClient';
import { measureChartRedraw, type ChartRedrawResult, type ChartRedrawTask } from './chartRedraw';

/** The adapter as the page sees it (`adapter.info`), or why there is none. */
export type PageAdapterInfo =
  | { readonly available: true; readonly vendor: string; readonly architecture: string; readonly device: string; readonly description: string }
  | { readonly available: false; readonly reason: string };

export interface BenchPageApi {
  run<K extends BenchTask['kind']>(key: string, task: Extract<BenchTask, { kind: K }>): Promise<BenchResults[K]>;
  close(key: string): void;
  adapterInfo(): Promise<PageAdapterInfo>;
  datasetsBaseUrl(): string;
  /** On the page itself: chart redraws are main-thread work. */
  chartRedraw(task: ChartRedrawTask): Promise<ChartRedrawResult>;
}

declare global {
  interface Window {
    distilleryBench?: BenchPageApi;
  }
}

async function adapterInfo(): Promise<PageAdapterInfo> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { available: false, reason: 'navigator.gpu is missing' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { available: false, reason: 'requestAdapter() returned null' };
  const { vendor, architecture, device, description } = adapter.info;
  return { available: true, vendor, architecture, device, description };
}

const output = document.getElementById('log');
const log = (line: string): void => {
  console.log(line); // the runner prints the page's console as progress
  if (output) output.textContent += `${line}\n`;
};

const client = new BenchClient(log);
window.distilleryBench = {
  run: (key, task) => client.run(key, task),
  close: (key) => client.close(key),
  adapterInfo,
  datasetsBaseUrl,
  chartRedraw: measureChartRedraw,
};
log('bench page ready');
