import { KERNELS_RELAXED_BASE64 } from '../generated/kernels-relaxed.js';
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

const bytesCache = new Map<'relaxed' | 'simd', Uint8Array<ArrayBuffer>>();
const validCache = new Map<'relaxed' | 'simd', boolean>();
const moduleCache = new Map<'relaxed' | 'simd', WebAssembly.Module>();

export function wasmBytes(level: 'relaxed' | 'simd'): Uint8Array<ArrayBuffer> {
  let b = bytesCache.get(level);
  if (!b) {
    b = decodeBase64(level === 'relaxed' ? KERNELS_RELAXED_BASE64 : KERNELS_SIMD_BASE64);
    bytesCache.set(level, b);
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

function wrap(instance: WebAssembly.Instance): WasmKernels {
  const exports = instance.exports as Record<string, unknown>;
  const ops = {} as Record<string, unknown>;
  for (const name of OP_NAMES) ops[name] = exports[name];
  return { ops: ops as unknown as Ops, memory: exports['memory'] as WebAssembly.Memory };
}

/** Compiles (once per level, cached) and instantiates synchronously: fine in Node and in workers; see createWasmBackendAsync for browser main threads. */
export function instantiateSync(level: 'relaxed' | 'simd'): WasmKernels {
  let m = moduleCache.get(level);
  if (!m) {
    m = new WebAssembly.Module(wasmBytes(level));
    moduleCache.set(level, m);
  }
  return wrap(new WebAssembly.Instance(m, {}));
}

export async function instantiateAsync(level: 'relaxed' | 'simd'): Promise<WasmKernels> {
  let m = moduleCache.get(level);
  if (!m) {
    m = await WebAssembly.compile(wasmBytes(level));
    moduleCache.set(level, m);
  }
  return wrap(await WebAssembly.instantiate(m, {}));
}
