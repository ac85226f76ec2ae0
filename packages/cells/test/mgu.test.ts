// MGU against a direct transcription of Zhou et al. (2016) in plain numbers.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createRng, normal, select, tensorsIn, treeDispose, type Tensor } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { mgu } from '../src/index.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** f = σ(W_f x + b_f + U_f h + c_f); h̃ = tanh(W_h x + b_h + U_h (f⊙h) + c_h); h' = (1 − f)⊙h + f⊙h̃; one batch row. */
function reference(W: number[], U: number[], b: number[], c: number[], x: number[], h: number[], I: number, H: number) {
  const row = (M: number[], j: number, v: number[], n: number) => v.reduce((s, vk, k) => s + M[j * n + k]! * vk, 0);
  const f = Array.from({ length: H }, (_, j) => sigmoid(row(W, j, x, I) + b[j]! + row(U, j, h, H) + c[j]!));
  const fh = h.map((v, j) => f[j]! * v);
  const cand = Array.from({ length: H }, (_, j) => Math.tanh(row(W, H + j, x, I) + b[H + j]! + row(U, H + j, fh, H) + c[H + j]!));
  return { f, h: h.map((v, j) => (1 - f[j]!) * v + f[j]! * cand[j]!) };
}

describe('mgu', () => {
  it('follows the minimal gated unit equations, rows (f, h̃), and reports f as aux', async () => {
    const be = createCpuBackend();
    const [I, H, B, T] = [3, 4, 2, 3];
    const cell = mgu({ inputSize: I, hiddenSize: H, dtype: 'f64' });
    expect(cell.kind).toBe('mgu');
    expect(cell.sequenceKernel).toBeUndefined();
    const p = cell.init(createRng(0), be);
    const [W, U, b, c] = (await Promise.all([p.weight_ih, p.weight_hh, p.bias_ih!, p.bias_hh!].map(async (t) => Array.from(await t.read())))) as [number[], number[], number[], number[]];
    const xs = normal(createRng(1), be, [T, B, I], 0, 1, { dtype: 'f64' });
    const h0 = normal(createRng(2), be, [B, H], 0, 0.5, { dtype: 'f64' });
    const xv = Array.from(await xs.read());
    let hv = Array.from(await h0.read());
    let state: { h: Tensor } = { h: h0 };
    const owned: unknown[] = [xs, h0];
    for (let t = 0; t < T; t++) {
      const x = select(xs, 0, t);
      const r = cell.step(p, state, x);
      owned.push(x, r);
      const want = Array.from({ length: B }, (_, bi) =>
        reference(W, U, b, c, xv.slice((t * B + bi) * I, (t * B + bi + 1) * I), hv.slice(bi * H, (bi + 1) * H), I, H));
      expectClose(await r.y.read(), want.flatMap((w) => w.h), 'f64', `h at step ${t}`);
      expectClose(await r.aux.f!.read(), want.flatMap((w) => w.f), 'f64', `f at step ${t}`);
      hv = want.flatMap((w) => w.h);
      state = r.state;
    }
    for (const t of tensorsIn(owned)) t.dispose();
    treeDispose(p);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('draws every parameter from U(−1/√H, 1/√H)', async () => {
    const be = createCpuBackend();
    const H = 16;
    const p = mgu({ inputSize: 8, hiddenSize: H }).init(createRng(3), be);
    for (const t of [p.weight_ih, p.weight_hh, p.bias_ih!, p.bias_hh!]) {
      const v = Array.from(await t.read());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(H));
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.8 / Math.sqrt(H));
    }
    treeDispose(p);
  });

  it('rejects bad sizes with sentences', () => {
    expect(() => mgu({ inputSize: 0, hiddenSize: 4 })).toThrow(/inputSize must be a positive integer, got 0/);
    expect(() => mgu({ inputSize: 3, hiddenSize: 2.5 })).toThrow(/hiddenSize must be a positive integer, got 2.5/);
  });
});
