import { RnnkitError } from '@rnnkit/tensor';
import type { Ops } from './ops.js';

/** GEMMs smaller than this (multiply-adds) run on the calling thread alone: a worker's round trip costs microseconds. */
const MIN_SPLIT_MACS = 1 << 20;

/** Iterations a thread polls a flag before it sleeps on it (tens of microseconds: a sequence's steps come that fast). */
const SPIN = 20_000;

// Each worker's control block: SLOTS Int32 slots in one SharedArrayBuffer.
const SLOTS = 16;
/** Sequence number of the command to run (the worker waits for it to change); −1 tells it to exit. */
const CMD = 0;
/** Sequence number of the last command finished; −1 until the worker is ready. */
const DONE = 1;
/** 1 when the last command threw. */
const FAILED = 2;
/** op (0 gemm, 1 gemmBias), then the kernel's ten arguments. */
const ARGS = 3;

// The worker: instantiates the shared-memory module on the same memory, then runs commands. Plain
// JavaScript evaluated by Node's worker_threads, so no file has to be found at run time.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, index, spin } = workerData;
const c = new Int32Array(control, index * ${SLOTS} * 4, ${SLOTS});
let k;
try {
  k = new WebAssembly.Instance(module, { env: { memory } }).exports;
} catch (err) {
  c[${FAILED}] = 1;
  console.error('@rnnkit/backend-wasm worker thread:', err);
}
let seq = 0;
Atomics.store(c, ${DONE}, 0);
Atomics.notify(c, ${DONE});
for (;;) {
  if (!k) break;
  for (let i = 0; i < spin && Atomics.load(c, ${CMD}) === seq; i++);
  let cmd;
  while ((cmd = Atomics.load(c, ${CMD})) === seq) Atomics.wait(c, ${CMD}, seq);
  if (cmd < 0) break;
  seq = cmd;
  const a = c.subarray(${ARGS}, ${ARGS} + 11);
  try {
    if (a[0] === 0) k.gemm(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    else k.gemmBias(a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    c[${FAILED}] = 0;
  } catch (err) {
    c[${FAILED}] = 1;
    console.error('@rnnkit/backend-wasm worker thread:', err);
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

/** What this file needs of Node's worker_threads (so the package imports nothing from Node). */
interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerConstructor = new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;

/** Node's Worker, or undefined where there is none (browsers, older Node). */
export function nodeWorker(): WorkerConstructor | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerConstructor } | undefined;
  return typeof SharedArrayBuffer === 'function' ? wt?.Worker : undefined;
}

/** Waits (spinning first, then sleeping) until c[slot] is `want`; throws past `seconds`. */
function waitFor(c: Int32Array, slot: number, want: number, seconds: number, what: string): void {
  for (let i = 0; i < SPIN && Atomics.load(c, slot) !== want; i++);
  const deadline = Date.now() + seconds * 1000;
  for (let v = Atomics.load(c, slot); v !== want; v = Atomics.load(c, slot)) {
    if (Date.now() > deadline) throw new RnnkitError(`wasm backend: a worker thread did not ${what} within ${seconds} s; create the backend with threads: 1.`);
    Atomics.wait(c, slot, v, 100);
  }
}

/**
 * Worker threads that run column blocks of the engine's GEMMs on the same shared WebAssembly
 * memory. The calling thread hands each worker a block through its control slots, computes the
 * last block itself, then waits for the rest. Workers are unref'd (they never keep a process
 * alive); `close` ends them.
 */
export class GemmThreads {
  private readonly control: Int32Array;
  private workers: WorkerLike[];
  private seq = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, Worker: WorkerConstructor) {
    const control = new SharedArrayBuffer(count * SLOTS * 4);
    this.control = new Int32Array(control);
    this.workers = Array.from({ length: count }, (_, index) => {
      this.slots(index)[DONE] = -1;
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, index, spin: SPIN } });
      w.unref();
      return w;
    });
    try {
      for (let i = 0; i < count; i++) {
        waitFor(this.slots(i), DONE, 0, 30, 'start');
        if (this.slots(i)[FAILED] === 1) throw new RnnkitError('wasm backend: a worker thread could not instantiate the kernels (its error is on stderr); create the backend with threads: 1.');
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Threads a GEMM may use: the workers and the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  private slots(i: number): Int32Array {
    return this.control.subarray(i * SLOTS, (i + 1) * SLOTS);
  }

  /** Starts `jobs[i]` (op, then the ten kernel arguments) on worker i, runs `own` here, and waits for all. */
  run(jobs: readonly number[][], own: () => void, macs: number): void {
    const seq = ++this.seq;
    jobs.forEach((job, i) => {
      const c = this.slots(i);
      c.set(job, ARGS);
      Atomics.store(c, CMD, seq);
      Atomics.notify(c, CMD);
    });
    // The workers are waited for even if this thread's part throws: they write into the same output.
    let ownError: Error | undefined;
    try {
      own();
    } catch (err) {
      ownError = err as Error; // a trap (RuntimeError) or a JS error from the kernel call
    }
    // A generous bound: the slowest plausible thread (1 GFLOP/s), and never under 10 s.
    const seconds = Math.max(10, (2 * macs) / 1e9);
    jobs.forEach((_, i) => waitFor(this.slots(i), DONE, seq, seconds, 'finish its part of a GEMM'));
    if (ownError) throw ownError;
    if (jobs.some((_, i) => this.slots(i)[FAILED] === 1)) throw new RnnkitError('wasm backend: a worker thread failed in a GEMM (its error is on stderr).');
  }

  /** Ends the workers; GEMMs run on the calling thread from then on. */
  close(): void {
    for (let i = 0; i < this.workers.length; i++) {
      const c = this.slots(i);
      Atomics.store(c, CMD, -1);
      Atomics.notify(c, CMD);
    }
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

/**
 * `ops` with gemm and gemmBias split by column panels over the threads (the calling thread takes
 * the last block). Every panel is computed by the same code as on one thread, so results are
 * bit-identical; small GEMMs and single panels are not split.
 */
export function threadedOps(ops: Ops, pool: GemmThreads): Ops {
  const NR = ops.packedLength(1, 1); // one row of one panel: the build's panel width
  const split = (op: 0 | 1, M: number, N: number, K: number, a: number, sai: number, sak: number, bp: number, c: number, ldc: number, last: number): void => {
    const panels = Math.ceil(N / NR);
    const T = Math.min(pool.threads, panels);
    const kernel = op === 0 ? ops.gemm : ops.gemmBias;
    if (T < 2 || M * N * K < MIN_SPLIT_MACS) {
      kernel(M, N, K, a, sai, sak, bp, c, ldc, last);
      return;
    }
    // Block t: columns from[t] .. from[t + 1], whole panels but for the last block's tail.
    const from = Array.from({ length: T + 1 }, (_, t) => Math.min(N, Math.floor((t * panels) / T) * NR));
    // Byte offsets of a block's panels, output columns and (gemmBias) bias; gemm's last argument is a flag.
    const block = (t: number) => [M, from[t + 1]! - from[t]!, K, a, sai, sak, bp + from[t]! * K * 4, c + from[t]! * 4, ldc, op === 1 ? last + from[t]! * 4 : last];
    const jobs = Array.from({ length: T - 1 }, (_, t) => [op, ...block(t)]);
    const [m, n, k, pa, s0, s1, pb, pc, lc, l] = block(T - 1) as [number, number, number, number, number, number, number, number, number, number];
    pool.run(jobs, () => kernel(m, n, k, pa, s0, s1, pb, pc, lc, l), M * N * K);
  };
  return {
    ...ops,
    gemm: (M, N, K, a, sai, sak, bp, c, ldc, accumulate) => split(0, M, N, K, a, sai, sak, bp, c, ldc, accumulate),
    gemmBias: (M, N, K, a, sai, sak, bp, c, ldc, bias) => split(1, M, N, K, a, sai, sak, bp, c, ldc, bias),
  };
}
