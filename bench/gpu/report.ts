/**
 * The GPU runner's report: each cell's images/s (ours, the bare-tfjs loop, PyTorch on the same machine),
 * first step and memory, labelled GPU only when the adapter is hardware. JSON for tools, Markdown for people.
 */
import { formatNumber, markdownTable, throughputRow } from '../report.mjs';
import type { GpuAdapterReport } from './webgpuDevice';
import type { CellMemory, StepCell } from './gpuSteps';
import type { TorchRun } from './torchRun';

export interface GpuReportRow {
  readonly model: string;
  readonly method: string;
  readonly batch: number;
  readonly oursImagesPerSecond: number;
  readonly baselineImagesPerSecond: number;
  /** Seconds of the app's first step: it compiles the shaders. */
  readonly firstStepSeconds: number;
  readonly oursStepSeconds: readonly number[];
  readonly memory: CellMemory;
  readonly torchImagesPerSecond: number | null;
  /** ours / PyTorch images per second, same machine, same run. */
  readonly oursOverTorch: number | null;
}

export interface GpuReport {
  readonly date: string;
  /** 'GPU' only on a hardware adapter; a software one's figures are the CPU's. */
  readonly label: 'GPU' | 'software adapter (CPU), not a GPU figure';
  readonly adapter: GpuAdapterReport;
  readonly machine: { readonly node: string; readonly platform: string; readonly cpus: number; readonly cpuModel: string };
  readonly settings: { readonly batch: number; readonly warmupSteps: number; readonly timedSteps: number };
  readonly torch: TorchRun;
  readonly rows: readonly GpuReportRow[];
}

export function reportRow(cell: StepCell, torch: TorchRun): GpuReportRow {
  const row = throughputRow({ backend: 'webgpu', model: cell.model, method: cell.method, batch: cell.batch, ...cell.throughput });
  const torchRate = 'results' in torch ? (torch.results.find((r) => r.model === cell.model && r.method === cell.method)?.images_per_second ?? null) : null;
  return {
    model: cell.model,
    method: cell.method,
    batch: cell.batch,
    oursImagesPerSecond: row.oursImagesPerSecond,
    baselineImagesPerSecond: row.baselineImagesPerSecond,
    firstStepSeconds: row.firstStepSeconds,
    oursStepSeconds: row.oursStepSeconds,
    memory: cell.memory,
    torchImagesPerSecond: torchRate,
    oursOverTorch: torchRate ? row.oursImagesPerSecond / torchRate : null,
  };
}

/** Images/s: two decimals below 10 (a software adapter's slow figures), else one. */
const rateCell = (rate: number | null) => formatNumber(rate, rate != null && rate < 10 ? 2 : 1);

/** Two significant digits below 0.1 (a software adapter against PyTorch), else two decimals. */
const ratioCell = (ratio: number | null) => (ratio == null ? '–' : `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}x`);

const mebibytes = (bytes: number | null) => (bytes == null ? '–' : (bytes / 2 ** 20).toFixed(1));

function torchLine(torch: TorchRun): string {
  if (!('results' in torch)) return `PyTorch: ${torch.absent}`;
  return `PyTorch ${torch.torch} on ${torch.device} (${torch.device_name}), ${torch.threads} CPU thread(s), same models, batch, SGD and KD loss.`;
}

export function renderGpuMarkdown(report: GpuReport): string {
  const { adapter, settings } = report;
  const rows = report.rows.map((r) => [
    r.model,
    r.method,
    rateCell(r.oursImagesPerSecond),
    rateCell(r.baselineImagesPerSecond),
    rateCell(r.torchImagesPerSecond),
    ratioCell(r.oursOverTorch),
    formatNumber(r.firstStepSeconds, 2),
    mebibytes(r.memory.gpuBytesAllocated),
    `${r.memory.tensorsBefore} → ${r.memory.tensorsAfter}`,
  ]);
  return [
    `# Training step on WebGPU in Node: ${report.label}`,
    '',
    `${report.date}; adapter: ${adapter.vendor} | ${adapter.architecture} | ${adapter.description}${adapter.device ? ` | ${adapter.device}` : ''} (${adapter.software ? 'software: the CPU emulates the GPU' : 'hardware'}); Node ${report.machine.node}, ${report.machine.cpus} x ${report.machine.cpuModel}.`,
    '',
    `Batch ${settings.batch}, ${settings.warmupSteps} warm-up and ${settings.timedSteps} timed steps (median), random CIFAR-shaped images; KD with one teacher of the student's architecture.`,
    '',
    markdownTable(['model', 'method', 'ours images/s', 'bare tfjs images/s', 'PyTorch images/s', 'ours / PyTorch', 'first step s', 'GPU MiB allocated', 'live tensors'], rows),
    '',
    torchLine(report.torch),
    '',
    '"Ours" is the app\'s step (createLearner, trainStep, as the bench worker runs it); "bare tfjs" is the same step as plain tfjs code. GPU MiB is what tfjs\'s WebGPU backend holds after the cell (its buffer pool included): a high-water mark so far in the run. Live tensors grow by one per cell: tfjs 4.22\'s momentum optimizer leaves its learning-rate scalar behind when disposed.',
    '',
  ].join('\n');
}
