/**
 * The benchmark page's side of the bench workers: one worker per key (a backend name, or 'analysis' for
 * t-SNE), each request answered by id. tfjs-free: only messages cross.
 */
import { unhandledMessage } from '../contract/exhaustive';
import type { BenchResults, BenchTask, FromBenchWorker, ToBenchWorker } from '../contract/benchProtocol';

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

export class BenchClient {
  readonly #workers = new Map<string, Worker>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(private readonly log: (line: string) => void) {}

  /** Sends `task` to the worker named `key` (started on first use) and resolves with its answer. */
  run<K extends BenchTask['kind']>(key: string, task: Extract<BenchTask, { kind: K }>): Promise<BenchResults[K]> {
    const id = this.#nextId++;
    const worker = this.#worker(key);
    return new Promise<BenchResults[K]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      const message: ToBenchWorker = { id, task };
      worker.postMessage(message);
    });
  }

  /** Ends one worker (its backend, buffers and dataset go with it); requests still waiting fail. */
  close(key: string): void {
    this.#workers.get(key)?.terminate();
    this.#workers.delete(key);
  }

  #worker(key: string): Worker {
    let worker = this.#workers.get(key);
    if (worker) return worker;
    // Vite bundles the worker from this exact `new Worker(new URL(...))` form.
    worker = new Worker(new URL('../workers/bench.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<FromBenchWorker>) => this.#receive(key, event.data);
    worker.onerror = (event) => {
      const error = new Error(`the ${key} bench worker crashed: ${event.message || 'unknown error'}`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#workers.set(key, worker);
    return worker;
  }

  #receive(key: string, message: FromBenchWorker): void {
    const pending = this.#pending.get(message.id);
    switch (message.type) {
      case 'log':
        this.log(`[${key}] ${message.text}`);
        return;
      case 'result':
        this.#pending.delete(message.id);
        pending?.resolve(message.result);
        return;
      case 'error':
        this.#pending.delete(message.id);
        pending?.reject(new Error(message.message));
        return;
      default:
        unhandledMessage(message, 'bench page, from the bench worker');
    }
  }
}
