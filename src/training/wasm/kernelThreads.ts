/**
 * Kernel threads: helpers that each instantiate the shared build of kernels/assembly on one shared memory
 * and compute their part of a kernel call while the calling thread computes part 0. tfjs calls a kernel
 * synchronously, so the caller hands a call over through a shared control block with Atomics and waits on
 * it; only a worker (or Node) may wait, never a page's main thread.
 *
 * A kernel's parts write disjoint outputs and each sum keeps its order (kernels/assembly/parts.ts), so a
 * result has the same bits on any number of threads.
 */

/** What a helper gets once: the compiled shared build, the memory, the control block and its part number. */
export interface KernelThreadStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: Int32Array;
  /** The kernels' export names, in the order a call names them by index. */
  readonly names: readonly string[];
  /** The part this helper computes (1 and up; the caller computes part 0). */
  readonly part: number;
}

/** One helper thread, however the platform starts it (a Web Worker, a Node worker thread). */
export interface KernelThread {
  /** Sends the start message; settles when the helper has instantiated the kernels, or failed to. */
  start(message: KernelThreadStart): Promise<void>;
  terminate(): void;
}

/** What a helper answers its start message with (KERNEL_THREAD_SOURCE's `send`). */
export interface KernelThreadReply {
  readonly ready?: boolean;
  readonly error?: string;
}

/** Settles a helper's start from its reply, or from the platform's report of its script failing. */
export function settleKernelThreadStart(reply: KernelThreadReply, resolve: () => void, reject: (error: Error) => void): void {
  if (reply.ready) resolve();
  else reject(new Error(`A kernel thread could not start: ${reply.error ?? 'its script failed'}`));
}

/** Starts a helper that runs `source`, a self-contained classic script (KERNEL_THREAD_SOURCE). */
export type SpawnKernelThread = (source: string) => KernelThread;

/** Slots of the control block (Int32Array on a SharedArrayBuffer of its own, so growing memory never moves it). */
const CALL = 0; // bumped for each call: helpers wait on it
const DONE = 1; // helpers that finished the current call
const FAILED = 2; // set by a helper whose part threw
const KERNEL = 3; // index into `names`
const PARTS = 4; // how many parts this call has
const ARG_COUNT = 5;
const ARGS = 6;
const MAX_ARGS = 24;
const CONTROL_SLOTS = ARGS + MAX_ARGS;

/** How long the caller waits for its helpers before it calls them lost (a part takes milliseconds). */
const HELPER_TIMEOUT_MS = 60_000;

/**
 * The helper's script, as text: it must run unbundled in a Web Worker started from a blob: URL and in a
 * Node worker thread started with `eval`, so it is plain JavaScript that no build step rewrites. After it
 * reports ready it never returns to its event loop: it waits on the control block for the next call.
 */
export const KERNEL_THREAD_SOURCE = `'use strict';
const nodePort = typeof self === 'undefined' ? require('node:worker_threads').parentPort : null;
const send = (message) => (nodePort ? nodePort.postMessage(message) : self.postMessage(message));
function serve(start) {
  let kernels;
  try {
    const exports = new WebAssembly.Instance(start.module, { env: { memory: start.memory } }).exports;
    kernels = start.names.map((name) => exports[name]);
  } catch (error) {
    send({ error: String((error && error.message) || error) });
    return;
  }
  send({ ready: true });
  const control = start.control;
  let seen = 0;
  for (;;) {
    Atomics.wait(control, ${CALL}, seen);
    seen = Atomics.load(control, ${CALL});
    const parts = control[${PARTS}];
    if (start.part < parts) {
      const args = Array.from(control.subarray(${ARGS}, ${ARGS} + control[${ARG_COUNT}]));
      try {
        kernels[control[${KERNEL}]](...args, start.part, parts);
      } catch (error) {
        Atomics.store(control, ${FAILED}, 1);
      }
    }
    Atomics.add(control, ${DONE}, 1);
    Atomics.notify(control, ${DONE});
  }
}
if (nodePort) nodePort.once('message', serve);
else self.onmessage = (event) => serve(event.data);
`;

/** Helpers started on one memory, ready for calls. */
export class KernelThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));

  private constructor(
    private readonly helpers: readonly KernelThread[],
    private readonly names: readonly string[],
  ) {}

  /**
   * Starts `count - 1` helpers (the caller is the count-th thread) on `memory`, which `module` (the shared
   * build) imports. Rejects, stopping any that started, if one cannot start.
   */
  static async start(count: number, spawn: SpawnKernelThread, module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[]): Promise<KernelThreadPool> {
    const helpers = Array.from({ length: Math.max(0, count - 1) }, () => spawn(KERNEL_THREAD_SOURCE));
    const pool = new KernelThreadPool(helpers, names);
    try {
      await Promise.all(helpers.map((helper, i) => helper.start({ module, memory, control: pool.control, names, part: i + 1 })));
    } catch (error) {
      pool.stop();
      throw error;
    }
    return pool;
  }

  /** Threads a call is split over, the caller included. */
  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * Runs `kernel(...args, part, parts)` for every part: parts 1 and up on the helpers, part 0 with
   * `ownKernel` (the caller's own instance's export, on the same memory), and returns when all are done.
   */
  call(ownKernel: (...args: number[]) => void, name: string, args: readonly number[]): void {
    if (args.length > MAX_ARGS) throw new RangeError(`A kernel call takes at most ${MAX_ARGS} arguments, not ${args.length}`);
    const kernel = this.names.indexOf(name);
    if (kernel < 0) throw new Error(`${name} is not a threaded kernel`);
    const control = this.control;
    const parts = this.threads;
    control[KERNEL] = kernel;
    control[PARTS] = parts;
    control[ARG_COUNT] = args.length;
    control.set(args, ARGS);
    Atomics.store(control, DONE, 0);
    Atomics.store(control, FAILED, 0);
    Atomics.add(control, CALL, 1);
    Atomics.notify(control, CALL);
    ownKernel(...args, 0, parts);
    this.waitForHelpers();
    if (Atomics.load(control, FAILED) !== 0) throw new Error(`${name} failed on a kernel thread`);
  }

  private waitForHelpers(): void {
    const deadline = Date.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(this.control, DONE); done < this.helpers.length; done = Atomics.load(this.control, DONE)) {
      if (Date.now() > deadline) throw new Error(`Kernel threads stopped answering (${done} of ${this.helpers.length} done)`);
      Atomics.wait(this.control, DONE, done, 1000);
    }
  }

  stop(): void {
    for (const helper of this.helpers) helper.terminate();
  }
}
