import type { View } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { JsEngine } from '../src/internal/engine.js';
import { createJsOps } from '../src/internal/js-ops.js';
import { matmul as engineMatmul, matmulBias } from '../src/matmul.js';
import type { WasmHandle } from '../src/handle.js';

// Weights' GEMM panels kept across calls (PanelCache): kept the second time a view of a tensor is
// packed, identical results with and without, bounded by the limit, dropped when the tensor is freed.

const view = (data: Float32Array, shape: number[], strides?: number[], offset = 0): View<WasmHandle> => ({
  handle: { data },
  dtype: 'f32',
  shape,
  strides: strides ?? [shape[1]!, 1],
  offset,
});

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
const host = (x: Float32Array | { data: ArrayLike<number> }) => Array.from(x instanceof Float32Array ? x : x.data);

describe('kept GEMM panels (engine)', () => {
  const [M, K, N] = [7, 40, 30];
  const a = view(values(M * K, 1), [M, K]);

  it('keeps a weight the second time it is packed; every call gives the same product', () => {
    const e = new JsEngine(4, createJsOps);
    const b = view(values(K * N, 2), [K, N]);
    const first = host(engineMatmul(e, a, b) as Float32Array);
    expect(e.panels.bytes()).toBe(0);
    const second = host(engineMatmul(e, a, b) as Float32Array);
    const kept = e.panels.bytes();
    expect(kept).toBe(e.ops.packedLength(K, N) * 4);
    expect(e.pinnedBytes()).toBeGreaterThanOrEqual(kept);
    const third = host(engineMatmul(e, a, b) as Float32Array);
    expect(e.panels.bytes()).toBe(kept); // found, not packed again
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    e.forget(b.handle);
    expect(e.panels.bytes()).toBe(0);
    expect(e.pinnedBytes()).toBe(0);
  });

  it('two views of one tensor (b and bᵀ, a row slice) are kept apart', () => {
    const e = new JsEngine(4, createJsOps);
    const data = values(N * N, 3);
    const b = view(data, [N, N]);
    const bT = view(data, [N, N], [1, N]);
    const rows = view(data, [10, N], [N, 1], 5 * N); // rows 5..14 as a [10, N] operand
    const a2 = view(values(M * N, 4), [M, N]);
    const a3 = view(values(M * 10, 5), [M, 10]);
    const once = [engineMatmul(e, a2, b), engineMatmul(e, a2, bT), engineMatmul(e, a3, rows)].map((r) => host(r as Float32Array));
    const twice = [engineMatmul(e, a2, b), engineMatmul(e, a2, bT), engineMatmul(e, a3, rows)].map((r) => host(r as Float32Array));
    const thrice = [engineMatmul(e, a2, b), engineMatmul(e, a2, bT), engineMatmul(e, a3, rows)].map((r) => host(r as Float32Array));
    expect(e.panels.bytes()).toBe((2 * e.ops.packedLength(N, N) + e.ops.packedLength(10, N)) * 4);
    expect(twice).toEqual(once);
    expect(thrice).toEqual(once);
    expect(once[0]).not.toEqual(once[1]);
  });

  it('matmulBias uses the kept panels too', () => {
    const e = new JsEngine(4, createJsOps);
    const b = view(values(K * N, 6), [K, N]);
    const bias = view(values(N, 7), [N], [1]);
    const runs = [0, 1, 2].map(() => host(matmulBias(e, a, b, bias) as Float32Array));
    expect(e.panels.bytes()).toBeGreaterThan(0);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('stays within its limit, least recently used out first; 0 keeps nothing', () => {
    const e = new JsEngine(4, createJsOps);
    const one = e.ops.packedLength(K, N) * 4;
    e.panels.limitBytes = 2 * one;
    const bs = [8, 9, 10].map((s) => view(values(K * N, s), [K, N]));
    for (const b of bs) for (let i = 0; i < 2; i++) engineMatmul(e, a, b);
    expect(e.panels.bytes()).toBe(2 * one);
    expect(e.panels.find(bs[0]!)).toBe(0); // the oldest went
    expect(e.panels.find(bs[2]!)).not.toBe(0);
    const off = new JsEngine(4, createJsOps);
    off.panels.limitBytes = 0;
    for (let i = 0; i < 3; i++) engineMatmul(off, a, bs[0]!);
    expect(off.panels.bytes()).toBe(0);
    expect(off.pinnedBytes()).toBe(0);
  });

  it('nothing is kept when nothing may be pinned', () => {
    const e = new JsEngine(4, createJsOps);
    e.pinLimitBytes = 0;
    const b = view(values(K * N, 11), [K, N]);
    const runs = [0, 1, 2].map(() => host(engineMatmul(e, a, b) as Float32Array));
    expect(e.panels.bytes()).toBe(0);
    expect(runs[2]).toEqual(runs[0]);
  });
});
