import type { SequenceArgs, SequenceBackward, SequenceForward, SequenceGrads, View } from '@rnnkit/tensor';
import type { CpuHandle } from '../src/index.js';
import type { CpuBackend } from './helpers.js';
import { up, values, viewOf } from './helpers.js';

export type Cell = { kind: 'rnn'; activation: 'tanh' | 'relu' } | { kind: 'lstm' } | { kind: 'gru'; resetAfter: boolean };

export function gatesOf(cell: Cell): number {
  return cell.kind === 'lstm' ? 4 : cell.kind === 'gru' ? 3 : 1;
}

export function cellName(cell: Cell): string {
  if (cell.kind === 'rnn') return `rnn ${cell.activation}`;
  if (cell.kind === 'gru') return `gru resetAfter=${cell.resetAfter}`;
  return 'lstm';
}

/** Host inputs of a sequence kernel. */
export interface Inputs {
  xProj: number[];
  h0: number[];
  c0: number[];
  wHh: number[];
  bHh: number[];
}

export interface Problem {
  cell: Cell;
  T: number;
  B: number;
  H: number;
  lengths?: number[] | undefined;
  reverse?: boolean | undefined;
}

/** Deterministic pseudo-random numbers in [-scale, scale). */
export function randoms(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 * 2 - 1) * scale;
  });
}

export function randomInputs(p: Problem, seed: number): Inputs {
  const GH = gatesOf(p.cell) * p.H;
  return {
    xProj: randoms(p.T * p.B * GH, seed, 1.5),
    h0: randoms(p.B * p.H, seed + 1, 0.8),
    c0: randoms(p.B * p.H, seed + 2, 0.8),
    wHh: randoms(GH * p.H, seed + 3, 0.9),
    bHh: randoms(GH, seed + 4, 0.5),
  };
}

export type Args = SequenceArgs<CpuHandle> & { readonly c0: View<CpuHandle> };

export function uploadArgs(be: CpuBackend, p: Problem, x: Inputs): Args {
  const GH = gatesOf(p.cell) * p.H;
  return {
    xProj: up(be, x.xProj, [p.T, p.B, GH]),
    h0: up(be, x.h0, [p.B, p.H]),
    c0: up(be, x.c0, [p.B, p.H]),
    wHh: up(be, x.wHh, [GH, p.H]),
    bHh: up(be, x.bHh, [GH]),
    options: {
      lengths: p.lengths === undefined ? undefined : up(be, p.lengths, [p.B], 'i32'),
      reverse: p.reverse,
    },
  };
}

export function runForward(be: CpuBackend, cell: Cell, args: Args): SequenceForward<CpuHandle> {
  const f = be.fused!;
  if (cell.kind === 'rnn') return f.rnnSequence!(args, cell.activation);
  if (cell.kind === 'lstm') return f.lstmSequence!(args);
  return f.gruSequence!(args, cell.resetAfter);
}

export function runBackward(
  be: CpuBackend, cell: Cell, args: Args, fwd: SequenceForward<CpuHandle>, grads: SequenceGrads<CpuHandle>,
): SequenceBackward<CpuHandle> {
  const f = be.fused!;
  if (cell.kind === 'rnn') return f.rnnSequenceBackward!(args, fwd, grads, cell.activation);
  if (cell.kind === 'lstm') return f.lstmSequenceBackward!(args, fwd, grads);
  return f.gruSequenceBackward!(args, fwd, grads, cell.resetAfter);
}

/**
 * The same recurrence, one step at a time, from the primitive kernels only. Each sequence is run
 * on its own (B = 1) over its valid steps, in its own order, which is what lengths and reverse mean.
 */
export function referenceForward(be: CpuBackend, p: Problem, x: Inputs): { hs: number[]; hT: number[]; cT: number[] } {
  const k = be.kernels;
  const { T, B, H, cell } = p;
  const G = gatesOf(cell);
  const GH = G * H;
  const a = uploadArgs(be, p, x);
  const w = a.wHh.handle;
  // W_hhᵀ as a transposed view [H, GH]; bias broadcast over the single row.
  const wT = viewOf(w, 'f64', [H, GH], [1, H]);
  const bias = viewOf(a.bHh.handle, 'f64', [1, GH], [0, 1]);
  const rowView = (h: CpuHandle, cols: number, offset = 0): View<CpuHandle> => viewOf(h, 'f64', [1, cols], [cols, 1], offset);
  const gate = (h: CpuHandle, g: number): View<CpuHandle> => viewOf(h, 'f64', [1, H], [GH, 1], g * H);
  const v = (h: CpuHandle): View<CpuHandle> => rowView(h, H);
  const add = (l: View<CpuHandle>, r: View<CpuHandle>) => k.binary('add', l, r);
  const mul = (l: View<CpuHandle>, r: View<CpuHandle>) => k.binary('mul', l, r);
  const sub = (l: View<CpuHandle>, r: View<CpuHandle>) => k.binary('sub', l, r);

  const hs = new Array<number>(T * B * H).fill(0);
  const hT: number[] = [];
  const cT: number[] = [];
  for (let b = 0; b < B; b++) {
    const len = p.lengths?.[b] ?? T;
    let h = k.copy(viewOf(a.h0.handle, 'f64', [1, H], [H, 1], b * H));
    let c = k.copy(viewOf(a.c0.handle, 'f64', [1, H], [H, 1], b * H));
    for (let s = 0; s < len; s++) {
      const t = p.reverse ? len - 1 - s : s;
      const xt = a.xProj.handle;
      const xOff = (t * B + b) * GH;
      const xGate = (g: number): View<CpuHandle> => viewOf(xt, 'f64', [1, H], [GH, 1], xOff + g * H);
      const rec = add(rowView(k.matmul(v(h), wT), GH), bias); // W_hh h + b_hh, [1, GH]
      if (cell.kind === 'rnn') {
        const pre = add(rowView(xt, GH, xOff), rowView(rec, GH));
        h = cell.activation === 'tanh' ? k.unary('tanh', v(pre)) : k.binary('maximum', v(pre), v(k.fill([1, H], 'f64', 0)));
      } else if (cell.kind === 'lstm') {
        const pre = add(rowView(xt, GH, xOff), rowView(rec, GH));
        const i = k.unary('sigmoid', gate(pre, 0));
        const f = k.unary('sigmoid', gate(pre, 1));
        const g = k.unary('tanh', gate(pre, 2));
        const o = k.unary('sigmoid', gate(pre, 3));
        c = add(v(mul(v(f), v(c))), v(mul(v(i), v(g))));
        h = mul(v(o), v(k.unary('tanh', v(c))));
      } else {
        const r = k.unary('sigmoid', v(add(xGate(0), gate(rec, 0))));
        const z = k.unary('sigmoid', v(add(xGate(1), gate(rec, 1))));
        let nPre: CpuHandle;
        if (cell.resetAfter) {
          nPre = add(xGate(2), v(mul(v(r), gate(rec, 2))));
        } else {
          // W_hn (r ⊙ h) + b_hn: the n rows of W_hh, transposed, are a [H, H] view at row 2H.
          const wnT = viewOf(w, 'f64', [H, H], [1, H], 2 * H * H);
          const bn = viewOf(a.bHh.handle, 'f64', [1, H], [0, 1], 2 * H);
          nPre = add(xGate(2), v(add(v(k.matmul(v(mul(v(r), v(h))), wnT)), bn)));
        }
        const n = k.unary('tanh', v(nPre));
        // (1 − z) n + z h = n + z (h − n)
        h = add(v(n), v(mul(v(z), v(sub(v(h), v(n))))));
      }
      const hv = values(be, h);
      for (let j = 0; j < H; j++) hs[(t * B + b) * H + j] = hv[j]!;
    }
    hT.push(...values(be, h));
    cT.push(...values(be, c));
  }
  return { hs, hT, cT };
}

/** Reads a handle as numbers and frees it. */
export function take(be: CpuBackend, h: CpuHandle | undefined): number[] {
  if (h === undefined) return [];
  const out = values(be, h);
  be.free(h);
  return out;
}
