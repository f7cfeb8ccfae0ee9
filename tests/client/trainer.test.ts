/**
 * The page's Trainer against a stand-in for its worker: what the status line says while the page loads.
 * The real worker's side of these messages is covered by the worker and end-to-end tests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Trainer } from '../../src/client/trainer.svelte';
import { NotKept } from '../../src/client/notKept.svelte';
import type { DatasetSummary, FromWorker, ToWorker } from '../../src/contract/protocol';

/** Records what the page sends and lets the test answer as the worker would. */
class StandInWorker {
  static latest: StandInWorker | null = null;
  readonly sent: ToWorker[] = [];
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  constructor() {
    StandInWorker.latest = this;
  }
  postMessage(message: ToWorker): void {
    this.sent.push(message);
  }
  terminate(): void {}
  answer(message: FromWorker): void {
    this.onmessage?.({ data: message } as MessageEvent<FromWorker>);
  }
}

const SUBSET: DatasetSummary = {
  name: 'cifar10-subset',
  title: 'CIFAR-10 subset (5085 train / 1017 test)',
  classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
  trainCount: 5085,
  testCount: 1017,
  format: 'cifar10-binary',
  normalization: { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] },
  imageSide: 32,
};

const READY: FromWorker = { type: 'ready', backend: 'wasm', requested: 'auto', adapter: null, fallbackReason: null, choice: null, threads: null, remembered: false };

function startPage(): { trainer: Trainer; worker: StandInWorker; datasetRequest: () => number } {
  const trainer = new Trainer(new NotKept());
  const worker = StandInWorker.latest!;
  trainer.init('auto');
  trainer.loadDataset('./datasets/cifar10-subset/', 'cifar10-subset');
  const datasetRequest = () => {
    const sent = worker.sent.find((message) => message.type === 'loadDataset');
    if (sent?.type !== 'loadDataset') throw new Error('the page asked for no dataset');
    return sent.requestId;
  };
  return { trainer, worker, datasetRequest };
}

describe('the status line while the page loads', () => {
  beforeEach(() => vi.stubGlobal('Worker', StandInWorker));
  afterEach(() => vi.unstubAllGlobals());

  it('names the dataset while it downloads', () => {
    const { trainer } = startPage();
    expect(trainer.status).toBe('loading');
    expect(trainer.activity).toBe('Loading cifar10-subset\u2026');
  });

  it('says the backends are still being measured once the dataset has arrived before them', () => {
    const { trainer, worker, datasetRequest } = startPage();
    worker.answer({ type: 'datasetReady', requestId: datasetRequest(), summary: SUBSET });
    expect(trainer.status).toBe('loading');
    expect(trainer.activity).toBe('Choosing the fastest backend here\u2026');
    worker.answer(READY);
    expect(trainer.status).toBe('idle');
  });

  it('keeps naming the dataset when the backend is ready first', () => {
    const { trainer, worker, datasetRequest } = startPage();
    worker.answer(READY);
    expect(trainer.status).toBe('loading');
    expect(trainer.activity).toBe('Loading cifar10-subset\u2026');
    worker.answer({ type: 'datasetReady', requestId: datasetRequest(), summary: SUBSET });
    expect(trainer.status).toBe('idle');
  });

  it('says which backend starts when one is forced', () => {
    const trainer = new Trainer(new NotKept());
    trainer.init('webgpu');
    expect(trainer.activity).toBe('Starting the webgpu backend\u2026');
  });
});
