import { RnnkitError, sizeOf } from '@rnnkit/tensor';
import type { Backend, DType, Kernels, TypedArray, View } from '@rnnkit/tensor';
import { binary } from './binary.js';
import { cast } from './cast.js';
import { concat } from './concat.js';
import { copy } from './copy.js';
import { fill } from './fill.js';
import { createFusedKernels } from './fused/index.js';
import { gather, scatterAdd } from './gather.js';
import type { WasmHandle } from './handle.js';
import type { Acquire } from './internal/acquire.js';
import { JsEngine, WasmEngine, type Engine } from './internal/engine.js';
import { Resident } from './internal/resident.js';
import { createJsOps } from './internal/js-ops.js';
import { contiguous, copyInto, isContiguous } from './internal/strided.js';
import { GemmThreads, nodeWorker, threadedOps } from './internal/threads.js';
import { detectSimd, instantiateAsync, instantiateShared, instantiateSync, wasmSupports, type SimdLevel, type WasmKernels } from './internal/wasm.js';
import { matmul } from './matmul.js';
import { Memory } from './memory.js';
import { reduce } from './reduce.js';
import { unary } from './unary.js';
import { where } from './where.js';

export type { SimdLevel } from './internal/wasm.js';

export interface WasmBackendOptions {
  /**
   * Which kernels run f32 GEMM and the fused recurrent kernels:
   * 'auto' (default) picks 'relaxed' where the runtime validates relaxed-SIMD modules, else
   * 'simd' where it validates 128-bit SIMD, else 'none'; 'relaxed' and 'simd' insist (and throw
   * when the runtime lacks them); 'none' forces the JS fallback.
   */
  readonly simd?: 'auto' | SimdLevel;
  /** Dtypes to offer (i32 and bool are always included). Default: f32, f64, i32, bool; f64 kernels are JS. */
  readonly dtypes?: readonly DType[];
  /**
   * Bytes of freed tensor storage kept for reuse (default 256 MiB; 0 turns pooling off). A training
   * step frees and re-creates arrays of the same sizes every step; reusing them skips zeroing new
   * pages and the garbage collection of old ones. Reported as `stats().pooledBytes`.
   */
  readonly poolBytes?: number;
  /**
   * Bytes of WebAssembly memory a fused forward's saved activations and the last large result may
   * stay in between calls (default 1 GiB; 0: everything is copied out to JS memory after each call).
   * Past it they are copied out, as they would be on a host backend.
   */
  readonly pinBytes?: number;
  /**
   * Bytes of WebAssembly memory for weights packed into GEMM panels and kept across calls (default
   * 64 MiB; 0: packed anew every call). A matrix is kept the second time a call packs it, so
   * repeated inference and sampling skip packing; freeing the tensor frees its panels.
   */
  readonly panelBytes?: number;
  /**
   * Threads for f32 GEMMs (default 1): with n > 1, n − 1 worker threads share the WebAssembly memory
   * and each GEMM's column panels are split between them and the calling thread (results are
   * bit-identical to one thread). Node only (worker_threads and SharedArrayBuffer, Node ≥ 20.16),
   * and a SIMD build. The workers never keep a process alive; `close()` ends them.
   */
  readonly threads?: number;
}

/** The backend, plus what it chose. */
export interface WasmBackend extends Backend<WasmHandle> {
  /** The kernel build in use for f32: 'relaxed', 'simd' or 'none' (JS). */
  readonly simd: SimdLevel;
  /** Bytes of scratch memory the kernels hold (WebAssembly memory never shrinks; it keeps the largest call's need). */
  scratchBytes(): number;
  /** Threads the f32 GEMMs use (see `WasmBackendOptions.threads`; 1 after `close`). */
  readonly threads: number;
  /** Ends the worker threads, if any (GEMMs then run on the calling thread); the backend stays usable. */
  close(): void;
}

const ALL_DTYPES: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

function matches(data: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case 'f32': return data instanceof Float32Array;
    case 'f64': return data instanceof Float64Array;
    case 'i32': return data instanceof Int32Array;
    default: return data instanceof Uint8Array;
  }
}

function resolveLevel(simd: WasmBackendOptions['simd']): SimdLevel {
  const want = simd ?? 'auto';
  if (want === 'auto') return detectSimd();
  if (want === 'none') return 'none';
  if (!wasmSupports(want)) {
    const hint = want === 'relaxed'
      ? ' (Node 20 needs --experimental-wasm-relaxed-simd; Node ≥ 22 and Chrome ≥ 114 have it)'
      : '';
    throw new RnnkitError(
      `createWasmBackend: this runtime does not support WebAssembly ${want === 'relaxed' ? 'relaxed SIMD' : 'SIMD'}${hint}; pass simd: 'auto' to pick the best available, or 'none' for the JS kernels.`,
    );
  }
  return want;
}

/** The kernels for `level` on one thread, or on `threads` sharing one memory (with the pool that runs them). */
function kernelsFor(level: SimdLevel, threads: number, instantiate: (level: 'relaxed' | 'simd') => WasmKernels): { wasm?: WasmKernels; pool?: GemmThreads } {
  if (level === 'none') {
    if (threads > 1) throw new RnnkitError(`createWasmBackend: threads: ${threads} needs a WebAssembly SIMD build, but simd is 'none'; pass simd: 'auto' (or threads: 1).`);
    return {};
  }
  if (threads === 1) return { wasm: instantiate(level) };
  const Worker = nodeWorker();
  if (!Worker) throw new RnnkitError(`createWasmBackend: threads: ${threads} needs Node's worker_threads and SharedArrayBuffer (Node ≥ 20.16), which this runtime lacks; pass threads: 1.`);
  const { ops, memory, module } = instantiateShared(level);
  const pool = new GemmThreads(module, memory, threads - 1, Worker);
  return { wasm: { ops: threadedOps(ops, pool), memory }, pool };
}

function checkThreads(threads: number | undefined): number {
  const n = threads ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new RnnkitError(`createWasmBackend: threads must be an integer ≥ 1, got ${threads}.`);
  return n;
}

function build(level: SimdLevel, { wasm, pool }: { wasm?: WasmKernels; pool?: GemmThreads }, options: WasmBackendOptions): WasmBackend {
  const wanted = options.dtypes ?? ALL_DTYPES;
  const dtypes = ALL_DTYPES.filter((d) => wanted.includes(d) || d === 'i32' || d === 'bool');
  for (const key of ['poolBytes', 'pinBytes', 'panelBytes'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RnnkitError(`createWasmBackend: ${key} must be a number of bytes ≥ 0, got ${v}.`);
  }
  const memory = new Memory(options.poolBytes);
  const track = (data: TypedArray): WasmHandle => memory.track(data);
  const acquire: Acquire = (dtype, size) => memory.acquire(dtype, size);
  const f32: Engine = wasm ? new WasmEngine(wasm.ops, wasm.memory) : new JsEngine(4, createJsOps);
  f32.outputArrays = (n) => memory.acquire('f32', n);
  const limit = (e: Engine): void => {
    if (options.pinBytes !== undefined) e.pinLimitBytes = options.pinBytes;
    if (options.panelBytes !== undefined) e.panels.limitBytes = options.panelBytes;
  };
  limit(f32);
  let f64: Engine | undefined;
  const engineFor = (x: View<WasmHandle>): Engine => {
    if (x.dtype === 'f32') return f32;
    if (f64 === undefined) {
      f64 = new JsEngine(8, createJsOps);
      f64.outputArrays = (n) => memory.acquire('f64', n);
      limit(f64);
    }
    return f64;
  };

  const requireDtype = (op: string, dtype: DType): void => {
    if (!dtypes.includes(dtype)) {
      throw new RnnkitError(`${op}: dtype ${dtype} is not enabled on this wasm backend (it offers ${dtypes.join(', ')}); cast to one of those.`);
    }
  };
  const alive = (op: string, ...views: readonly View<WasmHandle>[]): void => {
    for (const v of views) memory.check(v.handle, op);
  };

  const kernels: Kernels<WasmHandle> = {
    unary: (op, x) => (alive(op, x), track(unary(op, x, acquire))),
    binary: (op, a, b) => (alive(op, a, b), track(binary(op, a, b, acquire))),
    where: (cond, a, b) => (alive('where', cond, a, b), track(where(cond, a, b))),
    reduce: (op, x, axes) => (alive(op, x), track(reduce(op, x, axes))),
    matmul: (a, b) => (alive('matmul', a, b), memory.result(matmul(engineFor(a), a, b))),
    copy: (x) => (alive('copy', x), track(copy(x))),
    concat: (xs, axis) => (alive('concat', ...xs), track(concat(xs, axis))),
    cast: (x, dtype) => (alive('cast', x), requireDtype('cast', dtype), track(cast(x, dtype))),
    fill: (shape, dtype, value) => (requireDtype('fill', dtype), track(fill(shape, dtype, value))),
    gather: (table, indices, axis) => (alive('gather', table, indices), track(gather(table, indices, axis))),
    scatterAdd: (shape, indices, updates, axis) => (alive('scatterAdd', indices, updates), track(scatterAdd(shape, indices, updates, axis))),
  };

  const readSync = (x: View<WasmHandle>, out?: TypedArray): TypedArray => {
    alive('read', x);
    // A result still in engine memory is read from there (no host copy of its own is made).
    if (x.handle instanceof Resident && isContiguous(x)) return x.handle.read(x.offset, sizeOf(x.shape), out);
    if (out === undefined) return contiguous(x);
    copyInto(x, out, 0);
    return out;
  };

  return {
    name: 'wasm',
    simd: level,
    capabilities: { dtypes, ieeeSpecialValues: true, syncRead: true },
    kernels,
    fused: createFusedKernels(memory, engineFor),
    upload(data, dtype) {
      requireDtype('upload', dtype);
      if (matches(data, dtype)) return track(data.slice());
      return track(cast({ handle: { data }, dtype, shape: [data.length], strides: [1], offset: 0 }, dtype));
    },
    read: (x, out) => new Promise<TypedArray>((resolve) => resolve(readSync(x, out))),
    readSync,
    free: (handle) => {
      memory.free(handle);
      // A fused forward's saved block, and a resident result's, live in engine memory until their
      // handle is freed.
      if (handle.pinned) handle.pinned.engine.unpin(handle.pinned.ptr);
      f32.forget(handle);
      f64?.forget(handle);
    },
    stats: () => memory.stats(),
    resetPeak: () => memory.resetPeak(),
    scratchBytes: () => f32.capacity() + (f64?.capacity() ?? 0),
    get threads() {
      return pool?.threads ?? 1;
    },
    close: () => pool?.close(),
  };
}

/**
 * The fast CPU backend: f32 GEMM and fused RNN/LSTM/GRU sequence kernels in WebAssembly SIMD
 * (relaxed SIMD where the runtime has it), every other kernel in JS on TypedArrays, f64 in JS.
 * Synchronous: compiles the embedded module with `new WebAssembly.Module`, which Node allows at
 * any size and browsers allow off the main thread; on a browser main thread use
 * `createWasmBackendAsync` (modules over 4 KB must be compiled asynchronously there).
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const level = resolveLevel(options.simd);
  return build(level, kernelsFor(level, checkThreads(options.threads), instantiateSync), options);
}

/** As createWasmBackend, compiling the module asynchronously (required on a browser main thread). */
export async function createWasmBackendAsync(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const level = resolveLevel(options.simd);
  const threads = checkThreads(options.threads);
  const single = level === 'none' || threads > 1 ? undefined : await instantiateAsync(level);
  return build(level, kernelsFor(level, threads, (l) => single ?? instantiateSync(l)), options);
}

/** The SIMD level `simd: 'auto'` would pick in this runtime. */
export { detectSimd };
