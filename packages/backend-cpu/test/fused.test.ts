import { describe, expect, it } from 'vitest';
import type { SequenceGrads } from '@rnnkit/tensor';
import type { CpuHandle } from '../src/index.js';
import type { Cell, Inputs, Problem } from './fused-helpers.js';
import {
  cellName, gatesOf, randomInputs, randoms, referenceForward, runBackward, runForward, take, uploadArgs,
} from './fused-helpers.js';
import { makeBackend, up, values } from './helpers.js';

const CELLS: Cell[] = [
  { kind: 'rnn', activation: 'tanh' },
  { kind: 'rnn', activation: 'relu' },
  { kind: 'lstm' },
  { kind: 'gru', resetAfter: true },
  { kind: 'gru', resetAfter: false },
];

const MODES: { name: string; lengths?: number[]; reverse?: boolean }[] = [
  { name: 'full length' },
  { name: 'reverse', reverse: true },
  { name: 'lengths', lengths: [4, 0, 2] },
  { name: 'lengths + reverse', lengths: [4, 0, 2], reverse: true },
];

function expectClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (err > tol * (1 + Math.abs(expected[i]!))) {
      expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]} (|diff| ${err})`);
    }
  }
}

describe.each(CELLS)('$kind fused forward', (cell) => {
  it.each(MODES)(`${cellName(cell)}: matches a step-by-step run of primitives ($name)`, (mode) => {
    const be = makeBackend();
    const p: Problem = { cell, T: 4, B: 3, H: 3, lengths: mode.lengths, reverse: mode.reverse };
    const x = randomInputs(p, 11);
    const ref = referenceForward(be, p, x);
    const fwd = runForward(be, cell, uploadArgs(be, p, x));
    expectClose(take(be, fwd.hs), ref.hs, 1e-12);
    expectClose(take(be, fwd.hT), ref.hT, 1e-12);
    if (cell.kind === 'lstm') expectClose(take(be, fwd.cT), ref.cT, 1e-12);
    else expect(fwd.cT).toBeUndefined();
  });
});

describe('fused forward details', () => {
  it('steps past a sequence\'s length output 0 and leave the state unchanged', () => {
    const be = makeBackend();
    const p: Problem = { cell: { kind: 'gru', resetAfter: true }, T: 3, B: 2, H: 2, lengths: [1, 0] };
    const x = randomInputs(p, 5);
    const fwd = runForward(be, p.cell, uploadArgs(be, p, x));
    const hs = take(be, fwd.hs);
    const hT = take(be, fwd.hT);
    // Sequence 1 has no steps: hT is h0, every output is 0.
    expect(hT.slice(2)).toEqual(x.h0.slice(2));
    expect([hs[2], hs[3], hs[6], hs[7], hs[10], hs[11]]).toEqual([0, 0, 0, 0, 0, 0]);
    // Sequence 0 ran one step: hT is its output at t = 0; t = 1, 2 output 0.
    expect(hT.slice(0, 2)).toEqual(hs.slice(0, 2));
    expect([hs[4], hs[5], hs[8], hs[9]]).toEqual([0, 0, 0, 0]);
  });

  it('f32 inputs give f32 outputs close to the f64 run', () => {
    const be = makeBackend();
    const p: Problem = { cell: { kind: 'lstm' }, T: 3, B: 2, H: 3 };
    const x = randomInputs(p, 9);
    const GH = 4 * p.H;
    const args32 = {
      xProj: up(be, x.xProj, [p.T, p.B, GH], 'f32'),
      h0: up(be, x.h0, [p.B, p.H], 'f32'),
      c0: up(be, x.c0, [p.B, p.H], 'f32'),
      wHh: up(be, x.wHh, [GH, p.H], 'f32'),
      bHh: up(be, x.bHh, [GH], 'f32'),
      options: {},
    };
    const f32 = runForward(be, p.cell, args32);
    expect(f32.hs.data).toBeInstanceOf(Float32Array);
    const f64 = runForward(be, p.cell, uploadArgs(be, p, x));
    expectClose(values(be, f32.hs), values(be, f64.hs), 1e-6);
    const bwd = runBackward(be, p.cell, args32, f32, { dhT: up(be, [1, 1, 1, 1, 1, 1], [2, 3], 'f32') });
    expect(bwd.dWhh.data).toBeInstanceOf(Float32Array);
  });
});

/** L = Σ wHs ⊙ hs + Σ wHT ⊙ hT (+ Σ wCT ⊙ cT): its cotangents are the weights themselves. */
interface Probe {
  wHs: number[];
  wHT: number[];
  wCT: number[];
}

function lossOf(p: Problem, x: Inputs, probe: Probe): number {
  const be = makeBackend();
  const fwd = runForward(be, p.cell, uploadArgs(be, p, x));
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  return dot(take(be, fwd.hs), probe.wHs) + dot(take(be, fwd.hT), probe.wHT) + (p.cell.kind === 'lstm' ? dot(take(be, fwd.cT), probe.wCT) : 0);
}

/** Central differences of the loss w.r.t. every entry of one input. */
function numericGrad(p: Problem, x: Inputs, probe: Probe, key: keyof Inputs): number[] {
  const eps = 1e-6;
  return x[key].map((_, i) => {
    const plus = structuredClone(x);
    const minus = structuredClone(x);
    plus[key][i]! += eps;
    minus[key][i]! -= eps;
    return (lossOf(p, plus, probe) - lossOf(p, minus, probe)) / (2 * eps);
  });
}

const GRAD_MODES: { name: string; lengths?: number[]; reverse?: boolean }[] = [
  { name: 'full length' },
  { name: 'reverse', reverse: true },
  { name: 'lengths', lengths: [3, 1] },
  { name: 'lengths + reverse', lengths: [2, 3], reverse: true },
];

describe.each(CELLS)('$kind fused backward', (cell) => {
  it.each(GRAD_MODES)(`${cellName(cell)}: matches central finite differences in f64 ($name)`, (mode) => {
    const p: Problem = { cell, T: 3, B: 2, H: 2, lengths: mode.lengths, reverse: mode.reverse };
    const x = randomInputs(p, 21);
    const probe: Probe = { wHs: randoms(p.T * p.B * p.H, 31), wHT: randoms(p.B * p.H, 32), wCT: randoms(p.B * p.H, 33) };
    const be = makeBackend();
    const args = uploadArgs(be, p, x);
    const fwd = runForward(be, cell, args);
    const grads: SequenceGrads<CpuHandle> = {
      dhs: up(be, probe.wHs, [p.T, p.B, p.H]),
      dhT: up(be, probe.wHT, [p.B, p.H]),
      dcT: cell.kind === 'lstm' ? up(be, probe.wCT, [p.B, p.H]) : undefined,
    };
    const bwd = runBackward(be, cell, args, fwd, grads);
    expect(bwd.dhs).toBeUndefined();
    expectClose(take(be, bwd.dxProj), numericGrad(p, x, probe, 'xProj'), 1e-7);
    expectClose(take(be, bwd.dh0), numericGrad(p, x, probe, 'h0'), 1e-7);
    expectClose(take(be, bwd.dWhh), numericGrad(p, x, probe, 'wHh'), 1e-7);
    expectClose(take(be, bwd.dbHh), numericGrad(p, x, probe, 'bHh'), 1e-7);
    if (cell.kind === 'lstm') expectClose(take(be, bwd.dc0), numericGrad(p, x, probe, 'c0'), 1e-7);
    else expect(bwd.dc0).toBeUndefined();
  });

  it(`${cellName(cell)}: absent cotangents count as zero`, () => {
    const be = makeBackend();
    const p: Problem = { cell, T: 2, B: 1, H: 2 };
    const args = uploadArgs(be, p, randomInputs(p, 3));
    const bwd = runBackward(be, cell, args, runForward(be, cell, args), {});
    for (const h of [bwd.dxProj, bwd.dh0, bwd.dWhh, bwd.dbHh]) expect(values(be, h).every((v) => v === 0)).toBe(true);
  });

  it(`${cellName(cell)}: state gradients are dL/dh_t including what flows back from later steps`, () => {
    // Split the sequence after step t: the run of steps t+1.. started from (h_t, c_t) gives, as
    // dh0, the recurrent part of dL/dh_t; the direct part is the cotangent of hs[t].
    const T = 3, B = 2, H = 2;
    const p: Problem = { cell, T, B, H };
    const G = gatesOf(cell);
    const x = randomInputs(p, 41);
    const wHs = randoms(T * B * H, 42);
    const wHT = randoms(B * H, 43);
    const wCT = randoms(B * H, 44);
    const be = makeBackend();
    const args = uploadArgs(be, p, x);
    const fwd = runForward(be, cell, args);
    const hs = values(be, fwd.hs);
    const dcT = cell.kind === 'lstm' ? up(be, wCT, [B, H]) : undefined;
    const bwd = runBackward(be, cell, args, fwd, { dhs: up(be, wHs, [T, B, H]), dhT: up(be, wHT, [B, H]), dcT, wantStateGrads: true });
    const dhs = take(be, bwd.dhs);
    const dcs = take(be, bwd.dcs);
    const cs = cell.kind === 'lstm' ? values(be, fwd.saved[3]!) : [];
    for (let t = 0; t < T; t++) {
      const rows = (from: number, to: number) => [from * B * H, to * B * H] as const;
      let recurrentH: number[];
      let recurrentC: number[];
      if (t === T - 1) {
        recurrentH = wHT;
        recurrentC = wCT;
      } else {
        const rest = T - 1 - t;
        const suffix: Inputs = {
          ...x,
          xProj: x.xProj.slice((t + 1) * B * G * H),
          h0: hs.slice(...rows(t, t + 1)),
          c0: cell.kind === 'lstm' ? cs.slice(...rows(t, t + 1)) : x.c0,
        };
        const sp: Problem = { cell, T: rest, B, H };
        const sArgs = uploadArgs(be, sp, suffix);
        const sFwd = runForward(be, cell, sArgs);
        const sBwd = runBackward(be, cell, sArgs, sFwd, {
          dhs: up(be, wHs.slice((t + 1) * B * H), [rest, B, H]), dhT: up(be, wHT, [B, H]),
          dcT: cell.kind === 'lstm' ? up(be, wCT, [B, H]) : undefined,
        });
        recurrentH = take(be, sBwd.dh0);
        recurrentC = take(be, sBwd.dc0);
      }
      for (let j = 0; j < B * H; j++) {
        const row = t * B * H + j;
        const dh = wHs[row]! + recurrentH[j]!;
        expect(dhs[row]).toBeCloseTo(dh, 10);
        // dL/dc_t is the state adjoint: what reaches c_t from later steps (h_t is a separate output).
        if (cell.kind === 'lstm') expect(dcs[row]).toBeCloseTo(recurrentC[j]!, 10);
      }
    }
    if (cell.kind !== 'lstm') expect(bwd.dcs).toBeUndefined();
  });
});
