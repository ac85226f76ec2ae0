import { setFlagsFromString } from 'node:v8';
import type { DType, View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { createWasmBackend, createWasmBackendAsync, detectSimd, type SimdLevel, type WasmBackend, type WasmHandle } from '../src/index.js';

// Test-only: lets Node 20 validate the relaxed-SIMD build too (the library never sets V8 flags).
setFlagsFromString('--experimental-wasm-relaxed-simd');

const LEVELS: SimdLevel[] = ['none', ...(['simd', 'relaxed'] as const).filter((l) => (l === 'simd' ? detectSimd() !== 'none' : detectSimd() === 'relaxed'))];

function contiguousStrides(shape: readonly number[]): number[] {
  const s: number[] = [];
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= shape[i]!;
  }
  return s;
}

function randoms(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

const up = (be: WasmBackend, data: number[], shape: number[], dtype: DType = 'f32'): View<WasmHandle> =>
  ({ handle: be.upload(dtype === 'f64' ? Float64Array.from(data) : Float32Array.from(data), dtype), dtype, shape, strides: contiguousStrides(shape), offset: 0 });

/** C = A·B in f64 on the host, A [M,K] and B [K,N] given as element getters. */
function naive(M: number, K: number, N: number, a: (i: number, k: number) => number, b: (k: number, j: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a(i, k) * b(k, j);
    out.push(s);
  }
  return out;
}

describe.each(LEVELS)('kernels (simd: %s)', (level) => {
  const be = createWasmBackend({ simd: level });

  it('reports its level and offers f32, f64, i32, bool', () => {
    expect(be.simd).toBe(level);
    expect(be.name).toBe('wasm');
    expect([...be.capabilities.dtypes]).toEqual(['f32', 'f64', 'i32', 'bool']);
  });

  // Sizes past the 2×16 (plain SIMD) and 3×12 (relaxed) tiles and the row blocks, K = 1, tails of every width, whole panels.
  const SHAPES: [number, number, number][] = [
    [1, 1, 1], [4, 8, 8], [5, 3, 9], [2, 5, 12], [7, 33, 13], [2, 3, 16], [3, 16, 25], [6, 7, 32], [33, 64, 65], [64, 17, 1], [68, 9, 24],
    [130, 40, 31], [67, 5, 48],
  ];
  for (const [M, K, N] of SHAPES) {
    it(`matmul ${M}x${K}x${N}: NN, NT (b transposed), TN (a transposed) match an f64 product`, () => {
      const A = randoms(M * K, M * 31 + K);
      const Bm = randoms(K * N, N * 17 + K);
      const want = naive(M, K, N, (i, k) => Math.fround(A[i * K + k]!), (k, j) => Math.fround(Bm[k * N + j]!));
      const a = up(be, A, [M, K]);
      const b = up(be, Bm, [K, N]);
      // Transposed storage: aT holds A as [K, M], bT holds B as [N, K].
      const aT = up(be, Array.from({ length: M * K }, (_, p) => A[(p % M) * K + Math.floor(p / M)]!), [K, M]);
      const bT = up(be, Array.from({ length: K * N }, (_, p) => Bm[(p % K) * N + Math.floor(p / K)]!), [N, K]);
      const aTv: View<WasmHandle> = { ...aT, shape: [M, K], strides: [1, M] };
      const bTv: View<WasmHandle> = { ...bT, shape: [K, N], strides: [1, K] };
      for (const [x, y, label] of [[a, b, 'NN'], [a, bTv, 'NT'], [aTv, b, 'TN'], [aTv, bTv, 'TT']] as const) {
        const h = be.kernels.matmul(x, y);
        expectClose(be.readSync!({ handle: h, dtype: 'f32', shape: [M, N], strides: [N, 1], offset: 0 }), want, 'f32', label);
        be.free(h);
      }
      for (const v of [a, b, aT, bT]) be.free(v.handle);
      expect(be.stats().liveHandles).toBe(0);
    });
  }

  it('batched matmul with a broadcast b is one GEMM over batch·M rows, and agrees with the per-batch product', () => {
    const [T, M, K, N] = [3, 5, 6, 10];
    const A = randoms(T * M * K, 1);
    const Bm = randoms(K * N, 2);
    const a = up(be, A, [T, M, K]);
    const b = up(be, Bm, [K, N]);
    const h = be.kernels.matmul(a, { ...b, shape: [T, K, N], strides: [0, N, 1] });
    const got = be.readSync!({ handle: h, dtype: 'f32', shape: [T * M, N], strides: [N, 1], offset: 0 });
    const want = naive(T * M, K, N, (i, k) => Math.fround(A[i * K + k]!), (k, j) => Math.fround(Bm[k * N + j]!));
    expectClose(got, want, 'f32');
    for (const x of [h, a.handle, b.handle]) be.free(x);
  });

  it('matmul propagates NaN and Inf as IEEE does (Inf·0 is NaN, even in padded tiles)', () => {
    const a = up(be, [Infinity, 1, NaN, 0, 1, 1], [3, 2]);
    const b = up(be, [1, 0, 1, 1], [2, 2]);
    const h = be.kernels.matmul(a, b);
    expect(Array.from(be.readSync!({ handle: h, dtype: 'f32', shape: [3, 2], strides: [2, 1], offset: 0 }))).toEqual([Infinity, NaN, NaN, NaN, 2, 1]);
    for (const x of [h, a.handle, b.handle]) be.free(x);
  });

  it('vectorised tanh (through a one-step tanh RNN with W_hh = 0) is within 3.5e-7 relative of Math.tanh over [−20, 20]', () => {
    // 20 sequences of 1001 units: 20,020 points, dense enough to meet the rational's worst case (3.3e-7 near |x| = 8.5).
    const [B, H] = [20, 1001];
    const xs = Array.from({ length: B * H - 10 }, (_, i) => -20 + (40 * i) / (B * H - 11));
    xs.push(0, -0, 1e-30, -1e-8, 0.6249, 0.6251, 9, 44, 100, -100);
    const view = (data: number[], shape: number[]) => up(be, data, shape);
    const args = {
      xProj: view(xs, [1, B, H]), h0: view(new Array<number>(B * H).fill(0), [B, H]), wHh: view(new Array<number>(H * H).fill(0), [H, H]),
      bHh: view(new Array<number>(H).fill(0), [H]), options: {},
    };
    const f = be.fused!.rnnSequence!(args, 'tanh');
    const hs = be.readSync!({ handle: f.hs, dtype: 'f32', shape: [B * H], strides: [1], offset: 0 });
    for (let i = 0; i < B * H; i++) {
      const want = Math.tanh(Math.fround(xs[i]!));
      expect(Math.abs(hs[i]! - want), `tanh(${xs[i]})`).toBeLessThanOrEqual(3.5e-7 * Math.abs(want) + 1e-30);
      expect(Math.abs(hs[i]!), `|tanh(${xs[i]})| ≤ 1`).toBeLessThanOrEqual(1);
    }
    for (const h of [f.hs, f.hT, ...f.saved, args.xProj.handle, args.h0.handle, args.wHh.handle, args.bHh.handle]) be.free(h);
  });

  it('vectorised sigmoid (through one LSTM step with W_hh = 0, c0 = 0, g = 1: c = σ(x_i)) is within 3.5e-7 relative of the f64 value over [−40, 40], stays within 1e-37 past ±87, passes NaN', () => {
    const dense = Array.from({ length: 20_000 }, (_, i) => -40 + (80 * i) / 19_999);
    const xi = [...dense, -1e-30, 1e-30, -0, -87, -87.5, -88, -100, 87.5, 100, -Infinity, Infinity, NaN];
    // One row per 4 values (H = 4), gate blocks i, f, g, o; tanh(20) rounds to 1 in f32.
    const H = 4;
    const B = xi.length / H;
    const xProj = Array.from({ length: B }, (_, b) => [...xi.slice(b * H, b * H + H), 0, 0, 0, 0, 20, 20, 20, 20, 0, 0, 0, 0]).flat();
    const zeros = (n: number) => new Array<number>(n).fill(0);
    const args = {
      xProj: up(be, xProj, [1, B, 4 * H]), h0: up(be, zeros(B * H), [B, H]), c0: up(be, zeros(B * H), [B, H]), wHh: up(be, zeros(4 * H * H), [4 * H, H]),
      bHh: up(be, zeros(4 * H), [4 * H]), options: {},
    };
    const f = be.fused!.lstmSequence!(args);
    const c = be.readSync!({ handle: f.cT!, dtype: 'f32', shape: [B * H], strides: [1], offset: 0 });
    for (let i = 0; i < xi.length; i++) {
      const x = Math.fround(xi[i]!);
      if (Number.isNaN(x)) {
        expect(c[i], 'sigmoid(NaN)').toBeNaN();
        continue;
      }
      const want = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      expect(Math.abs(c[i]! - want), `sigmoid(${x})`).toBeLessThanOrEqual(3.5e-7 * want + 1e-37);
    }
    for (const h of [f.hs, f.hT, f.cT!, ...f.saved, args.xProj.handle, args.h0.handle, args.c0.handle, args.wHh.handle, args.bHh.handle]) be.free(h);
  });

  it('scratch memory grows for a large call and the backend keeps working', () => {
    const [M, K, N] = [300, 400, 500];
    const a = up(be, randoms(M * K, 5), [M, K]);
    const b = up(be, randoms(K * N, 6), [K, N]);
    const h = be.kernels.matmul(a, b);
    expect(be.scratchBytes()).toBeGreaterThan((M * K + K * N + M * N) * 4);
    const small = up(be, [1, 2, 3, 4], [2, 2]);
    const h2 = be.kernels.matmul(small, small);
    expect(Array.from(be.readSync!({ handle: h2, dtype: 'f32', shape: [2, 2], strides: [2, 1], offset: 0 }))).toEqual([7, 10, 15, 22]);
    for (const x of [h, h2, a.handle, b.handle, small.handle]) be.free(x);
  });
});

describe('createWasmBackend options', () => {
  it("simd: 'auto' picks the best level the runtime validates", () => {
    expect(createWasmBackend().simd).toBe(detectSimd());
    expect(detectSimd()).not.toBe('none'); // Node ≥ 16 has WebAssembly SIMD
  });

  it('createWasmBackendAsync gives the same backend, compiled asynchronously', async () => {
    const be = await createWasmBackendAsync({ simd: 'simd' });
    expect(be.simd).toBe('simd');
    const a = up(be, [1, 2, 3, 4], [2, 2]);
    const h = be.kernels.matmul(a, a);
    expect(Array.from(await be.read({ handle: h, dtype: 'f32', shape: [4], strides: [1], offset: 0 }))).toEqual([7, 10, 15, 22]);
  });

  it('dtypes can be narrowed (i32 and bool always stay)', () => {
    expect([...createWasmBackend({ dtypes: ['f32'] }).capabilities.dtypes]).toEqual(['f32', 'i32', 'bool']);
  });
});
