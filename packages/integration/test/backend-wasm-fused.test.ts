// The fast CPU backend's whole-sequence kernels against the reference backend's (the oracle), in
// the project's f32 tolerance: forward and backward, lengths, reverse, state adjoints; for every
// kernel build this runtime has (relaxed SIMD only where it validates) and for the JS fallback.
import { setFlagsFromString } from 'node:v8';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend, detectSimd, type SimdLevel, type WasmHandle } from '@rnnkit/backend-wasm';
import type { Backend, DType, SequenceArgs, SequenceBackward, SequenceForward, SequenceGrads, TypedArray, View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';

type Cell = { kind: 'rnn'; activation: 'tanh' | 'relu' } | { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean };
const CELLS: Cell[] = [
  { kind: 'rnn', activation: 'tanh' },
  { kind: 'rnn', activation: 'relu' },
  { kind: 'lstm' },
  { kind: 'gru', resetAfter: true },
  { kind: 'gru', resetAfter: false },
];
const name = (c: Cell): string => (c.kind === 'rnn' ? `rnn ${c.activation}` : c.kind === 'gru' ? `gru resetAfter=${c.resetAfter}` : 'lstm');
const gates = (c: Cell): number => (c.kind === 'lstm' ? 4 : c.kind === 'gru' ? 3 : 1);

interface Problem {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly lengths?: number[];
  readonly reverse?: boolean;
}
const PROBLEMS: { title: string; p: Problem }[] = [
  { title: 'T=5 B=3 H=8', p: { T: 5, B: 3, H: 8 } },
  { title: 'odd H (vector tail), B=5', p: { T: 4, B: 5, H: 13 } },
  { title: 'reverse', p: { T: 6, B: 4, H: 12, reverse: true } },
  { title: 'lengths', p: { T: 6, B: 4, H: 9, lengths: [6, 0, 3, 1] } },
  { title: 'lengths + reverse', p: { T: 6, B: 4, H: 16, lengths: [2, 6, 0, 5], reverse: true } },
  { title: 'larger (H=40, B=7, T=9)', p: { T: 9, B: 7, H: 40, lengths: [9, 9, 8, 1, 4, 9, 7] } },
];

function randoms(n: number, seed: number, scale: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

interface Host {
  xProj: Float64Array; h0: Float64Array; c0: Float64Array; wHh: Float64Array; bHh: Float64Array;
  dhs: Float64Array; dhT: Float64Array; dcT: Float64Array;
}
function inputs(c: Cell, p: Problem, seed: number): Host {
  const GH = gates(c) * p.H;
  const { T, B, H } = p;
  return {
    xProj: randoms(T * B * GH, seed, 1.5), h0: randoms(B * H, seed + 1, 0.8), c0: randoms(B * H, seed + 2, 0.8),
    wHh: randoms(GH * H, seed + 3, 1.2 / Math.sqrt(H)), bHh: randoms(GH, seed + 4, 0.5),
    dhs: randoms(T * B * H, seed + 5, 1), dhT: randoms(B * H, seed + 6, 1), dcT: randoms(B * H, seed + 7, 1),
  };
}

const view = (h: object, dtype: DType, shape: number[]): View => {
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return { handle: h, dtype, shape, strides, offset: 0 };
};

function upload(be: Backend, data: ArrayLike<number>, shape: number[], dtype: DType): View {
  const arr = dtype === 'i32' ? Int32Array.from(data) : dtype === 'f64' ? Float64Array.from(data) : Float32Array.from(data);
  return view(be.upload(arr, dtype), dtype, shape);
}

type Args = SequenceArgs & { readonly c0: View };
function args(be: Backend, c: Cell, p: Problem, x: Host, dtype: DType): Args {
  const GH = gates(c) * p.H;
  return {
    xProj: upload(be, x.xProj, [p.T, p.B, GH], dtype), h0: upload(be, x.h0, [p.B, p.H], dtype), c0: upload(be, x.c0, [p.B, p.H], dtype),
    wHh: upload(be, x.wHh, [GH, p.H], dtype), bHh: upload(be, x.bHh, [GH], dtype),
    options: { lengths: p.lengths ? upload(be, p.lengths, [p.B], 'i32') : undefined, reverse: p.reverse },
  };
}

function forward(be: Backend, c: Cell, a: Args): SequenceForward {
  const f = be.fused!;
  if (c.kind === 'rnn') return f.rnnSequence!(a, c.activation);
  if (c.kind === 'lstm') return f.lstmSequence!(a);
  return f.gruSequence!(a, c.resetAfter);
}
function backward(be: Backend, c: Cell, a: Args, fwd: SequenceForward, g: SequenceGrads): SequenceBackward {
  const f = be.fused!;
  if (c.kind === 'rnn') return f.rnnSequenceBackward!(a, fwd, g, c.activation);
  if (c.kind === 'lstm') return f.lstmSequenceBackward!(a, fwd, g);
  return f.gruSequenceBackward!(a, fwd, g, c.resetAfter);
}

/** Runs forward + backward (with every cotangent and state adjoints) and returns every output by name; frees everything. */
function run(be: Backend, c: Cell, p: Problem, x: Host, dtype: DType, withDhs: boolean): Record<string, TypedArray> {
  const a = args(be, c, p, x, dtype);
  const fwd = forward(be, c, a);
  const GH = gates(c) * p.H;
  const g: SequenceGrads = {
    dhs: withDhs ? upload(be, x.dhs, [p.T, p.B, p.H], dtype) : undefined,
    dhT: upload(be, x.dhT, [p.B, p.H], dtype),
    dcT: c.kind === 'lstm' ? upload(be, x.dcT, [p.B, p.H], dtype) : undefined,
    wantStateGrads: true,
  };
  const bwd = backward(be, c, a, fwd, g);
  const out: Record<string, TypedArray> = {};
  const read = (k: string, h: object | undefined, shape: number[]): void => {
    if (h === undefined) return;
    out[k] = be.readSync!(view(h, dtype, shape));
    be.free(h);
  };
  const { T, B, H } = p;
  read('hs', fwd.hs, [T, B, H]);
  read('hT', fwd.hT, [B, H]);
  read('cT', fwd.cT, [B, H]);
  for (const s of fwd.saved) be.free(s);
  read('dxProj', bwd.dxProj, [T, B, GH]);
  read('dh0', bwd.dh0, [B, H]);
  read('dc0', bwd.dc0, [B, H]);
  read('dWhh', bwd.dWhh, [GH, H]);
  read('dbHh', bwd.dbHh, [GH]);
  read('dhs', bwd.dhs, [T, B, H]);
  read('dcs', bwd.dcs, [T, B, H]);
  for (const v of [a.xProj, a.h0, a.c0, a.wHh, a.bHh, a.options.lengths, g.dhs, g.dhT, g.dcT]) if (v) be.free(v.handle);
  return out;
}

// Test-only: Node 20 (V8 11.3) validates relaxed-SIMD modules only behind this flag (Node ≥ 22 has
// them on). Setting it here lets the relaxed build be checked too; the library never sets flags.
// Module-level caches are per test file (vitest isolates files), so this file alone sees it.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const levels: SimdLevel[] = ['none', ...(['simd', 'relaxed'] as const).filter((l) => l === 'simd' ? detectSimd() !== 'none' : detectSimd() === 'relaxed')];

describe.each(levels)('backend-wasm fused kernels (simd: %s) vs backend-cpu', (level) => {
  const ref = createCpuBackend();
  const be = createWasmBackend({ simd: level });
  it('uses the requested kernel build', () => {
    expect(be.simd).toBe(level);
  });
  for (const c of CELLS) {
    describe(name(c), () => {
      for (const { title, p } of PROBLEMS) {
        it(`forward + backward, f32, ${title}`, () => {
          const x = inputs(c, p, 7 + p.H);
          const before = be.stats().liveHandles;
          for (const withDhs of [true, false]) {
            const expected = run(ref, c, p, x, 'f64', withDhs);
            const actual = run(be, c, p, x, 'f32', withDhs);
            expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
            for (const k of Object.keys(expected)) expectClose(actual[k]!, expected[k]!, 'f32', `${name(c)} ${title} ${k}${withDhs ? '' : ' (no dhs)'}`);
          }
          expect(be.stats().liveHandles).toBe(before);
        });
      }
      it('inference (forwardOnly) gives the hs and state of the training forward, and keeps nothing', () => {
        for (const { title, p } of PROBLEMS) {
          for (const dtype of ['f32', 'f64'] as const) {
            const x = inputs(c, p, 5 + p.T);
            const before = be.stats().liveHandles;
            const outputs = (forwardOnly: boolean): Record<string, TypedArray> => {
              const host: Backend = be;
              const a = args(host, c, p, x, dtype);
              const fwd = forward(host, c, { ...a, options: { ...a.options, forwardOnly } });
              expect(fwd.saved.length === 0).toBe(forwardOnly);
              const out: Record<string, TypedArray> = {};
              for (const [k, h, shape] of [['hs', fwd.hs, [p.T, p.B, p.H]], ['hT', fwd.hT, [p.B, p.H]], ['cT', fwd.cT, [p.B, p.H]]] as const) {
                if (h === undefined) continue;
                out[k] = host.readSync!(view(h, dtype, [...shape]));
                host.free(h);
              }
              for (const h of [...fwd.saved, a.xProj.handle, a.h0.handle, a.c0.handle, a.wHh.handle, a.bHh.handle, a.options.lengths?.handle]) if (h) host.free(h);
              return out;
            };
            const train = outputs(false);
            const infer = outputs(true);
            expect(Object.keys(infer).sort()).toEqual(Object.keys(train).sort());
            // The same kernels compute the same numbers: identical, not just close.
            for (const k of Object.keys(train)) expect(Array.from(infer[k]!), `${name(c)} ${title} ${dtype} ${k}`).toEqual(Array.from(train[k]!));
            expect(be.stats().liveHandles).toBe(before);
          }
        }
      });

      it('forward + backward, f64 (JS kernels) match to f64 tolerance', () => {
        const p = PROBLEMS[4]!.p;
        const x = inputs(c, p, 3);
        const expected = run(ref, c, p, x, 'f64', true);
        const actual = run(be, c, p, x, 'f64', true);
        for (const k of Object.keys(expected)) expectClose(actual[k]!, expected[k]!, 'f64', `${name(c)} f64 ${k}`);
      });
    });
  }
});

// Saved activations stay pinned in the engine's memory between a forward and its backward: several
// forwards may be alive at once, their backwards run and their handles are freed in any order.
// With pinBytes 0 nothing is pinned, and with 3000 bytes an LSTM forward pins three of its four
// blocks before the fourth fails: both fall back to copying the saved activations out.
const PIN_LIMITS = [{ title: 'default pin limit' }, { title: 'pinBytes 0', pinBytes: 0 }, { title: 'pinBytes 3000', pinBytes: 3000 }];
describe.each(levels)('backend-wasm pinned saved activations (simd: %s)', (level) => {
  for (const { title, pinBytes } of PIN_LIMITS) for (const c of CELLS) {
    it(`${name(c)}, ${title}: two live forwards, backwards and frees out of order, give the sequential results`, () => {
      const be: Backend = createWasmBackend({ simd: level, ...(pinBytes === undefined ? {} : { pinBytes }) });
      const p: Problem = { T: 5, B: 3, H: 8 };
      const xs = [inputs(c, p, 11), inputs(c, p, 23)];
      const expected = xs.map((x) => run(be, c, p, x, 'f32', true));
      const before = be.stats();
      const as = xs.map((x) => args(be, c, p, x, 'f32'));
      const fwds = as.map((a) => forward(be, c, a));
      // Pinned under the default limit; copied out to host arrays when the limit is 0 or too small.
      if (pinBytes === undefined || pinBytes === 0 || c.kind === 'lstm') {
        for (const h of fwds[0]!.saved as WasmHandle[]) expect(h.pinned !== undefined, 'saved activation pinned').toBe(pinBytes === undefined);
      }
      const grads = xs.map((x): SequenceGrads => ({
        dhs: upload(be, x.dhs, [p.T, p.B, p.H], 'f32'), dhT: upload(be, x.dhT, [p.B, p.H], 'f32'),
        dcT: c.kind === 'lstm' ? upload(be, x.dcT, [p.B, p.H], 'f32') : undefined, wantStateGrads: true,
      }));
      // The second forward's backward first, then its saved blocks freed while the first's are still held.
      const bwds: SequenceBackward[] = [];
      bwds[1] = backward(be, c, as[1]!, fwds[1]!, grads[1]!);
      for (const s of fwds[1]!.saved) be.free(s);
      expect(() => backward(be, c, as[1]!, fwds[1]!, grads[1]!)).toThrow('already freed');
      bwds[0] = backward(be, c, as[0]!, fwds[0]!, grads[0]!);
      const GH = gates(c) * p.H;
      for (const i of [0, 1]) {
        expectClose(be.readSync!(view(bwds[i]!.dWhh, 'f32', [GH, p.H])), expected[i]!['dWhh']!, 'f32', `dWhh ${i}`);
        expectClose(be.readSync!(view(bwds[i]!.dxProj, 'f32', [p.T, p.B, GH])), expected[i]!['dxProj']!, 'f32', `dxProj ${i}`);
      }
      for (const s of fwds[0]!.saved) be.free(s);
      for (const f of fwds) for (const h of [f.hs, f.hT, f.cT]) if (h) be.free(h);
      for (const b of bwds) for (const h of [b.dxProj, b.dh0, b.dc0, b.dWhh, b.dbHh, b.dhs, b.dcs]) if (h) be.free(h);
      for (const [i, a] of as.entries()) for (const v of [a.xProj, a.h0, a.c0, a.wHh, a.bHh, grads[i]!.dhs, grads[i]!.dhT, grads[i]!.dcT]) if (v) be.free(v.handle);
      expect(be.stats().liveHandles).toBe(before.liveHandles);
      expect(be.stats().bytes).toBe(before.bytes);
    });
  }
});
