import { KERNELS_RELAXED_SHARED_BASE64, KERNELS_RELAXED_SHARED_MAXIMUM_PAGES } from '../generated/kernels-relaxed-shared.js';
import { KERNELS_RELAXED_BASE64 } from '../generated/kernels-relaxed.js';
import { KERNELS_SIMD_SHARED_BASE64, KERNELS_SIMD_SHARED_MAXIMUM_PAGES } from '../generated/kernels-simd-shared.js';
import { KERNELS_SIMD_BASE64 } from '../generated/kernels-simd.js';
import type { Ops } from './ops.js';
import { OP_NAMES } from './ops.js';

/** Which WebAssembly build runs the f32 kernels: with relaxed SIMD (fused multiply-add), plain 128-bit SIMD, or none (JS). */
export type SimdLevel = 'relaxed' | 'simd' | 'none';

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A kernel build: its SIMD level, and whether it imports a shared memory (for worker threads). */
type Build = 'relaxed' | 'simd' | 'relaxed-shared' | 'simd-shared';

const BASE64: Record<Build, string> = {
  relaxed: KERNELS_RELAXED_BASE64,
  simd: KERNELS_SIMD_BASE64,
  'relaxed-shared': KERNELS_RELAXED_SHARED_BASE64,
  'simd-shared': KERNELS_SIMD_SHARED_BASE64,
};

const bytesCache = new Map<Build, Uint8Array<ArrayBuffer>>();
const validCache = new Map<'relaxed' | 'simd', boolean>();
const moduleCache = new Map<Build, WebAssembly.Module>();

export function wasmBytes(build: Build): Uint8Array<ArrayBuffer> {
  let b = bytesCache.get(build);
  if (!b) {
    b = decodeBase64(BASE64[build]);
    bytesCache.set(build, b);
  }
  return b;
}

/**
 * Whether this runtime accepts the module built for `level`. Validating the real module is the
 * feature test: Node 20 (V8 11.3) rejects relaxed-SIMD opcodes unless started with
 * --experimental-wasm-relaxed-simd; Chrome ≥ 114 and Node ≥ 22 accept them. The library never sets V8 flags.
 */
export function wasmSupports(level: 'relaxed' | 'simd'): boolean {
  if (typeof WebAssembly === 'undefined' || typeof WebAssembly.validate !== 'function') return false;
  let v = validCache.get(level);
  if (v === undefined) {
    try {
      v = WebAssembly.validate(wasmBytes(level));
    } catch {
      v = false;
    }
    validCache.set(level, v);
  }
  return v;
}

/** The best level this runtime supports. */
export function detectSimd(): SimdLevel {
  if (wasmSupports('relaxed')) return 'relaxed';
  if (wasmSupports('simd')) return 'simd';
  return 'none';
}

export interface WasmKernels {
  readonly ops: Ops;
  readonly memory: WebAssembly.Memory;
}

function wrap(instance: WebAssembly.Instance, memory?: WebAssembly.Memory): WasmKernels {
  const exports = instance.exports as Record<string, unknown>;
  const ops = {} as Record<string, unknown>;
  for (const name of OP_NAMES) ops[name] = exports[name];
  return { ops: ops as unknown as Ops, memory: memory ?? (exports['memory'] as WebAssembly.Memory) };
}

/** The compiled module of a build (compiled synchronously once, then cached). */
export function moduleSync(build: Build): WebAssembly.Module {
  let m = moduleCache.get(build);
  if (!m) {
    m = new WebAssembly.Module(wasmBytes(build));
    moduleCache.set(build, m);
  }
  return m;
}

async function moduleAsync(build: Build): Promise<WebAssembly.Module> {
  let m = moduleCache.get(build);
  if (!m) {
    m = await WebAssembly.compile(wasmBytes(build));
    moduleCache.set(build, m);
  }
  return m;
}

/** Compiles (once per level, cached) and instantiates synchronously: fine in Node and in workers; see createWasmBackendAsync for browser main threads. */
export function instantiateSync(level: 'relaxed' | 'simd'): WasmKernels {
  return wrap(new WebAssembly.Instance(moduleSync(level), {}));
}

export async function instantiateAsync(level: 'relaxed' | 'simd'): Promise<WasmKernels> {
  return wrap(await WebAssembly.instantiate(await moduleAsync(level), {}));
}

/**
 * The shared-memory build of `level` on a new shared WebAssembly.Memory (the maximum its module
 * declares), plus the module, for worker threads to instantiate on the same memory.
 */
export function instantiateShared(level: 'relaxed' | 'simd'): WasmKernels & { readonly module: WebAssembly.Module } {
  const maximum = level === 'relaxed' ? KERNELS_RELAXED_SHARED_MAXIMUM_PAGES : KERNELS_SIMD_SHARED_MAXIMUM_PAGES;
  const memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
  const module = moduleSync(`${level}-shared`);
  return { ...wrap(new WebAssembly.Instance(module, { env: { memory } }), memory), module };
}
