import { createCpuBackend } from '@rnnkit/backend-cpu';
import { concat, createRng, normal, reshape, scope, select, tensorsIn, treeDispose, treeLeaves, type Tensor } from '@rnnkit/tensor';
import { assertGradcheck } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { lstm, type LstmParams } from '../src/index.js';

describe('lstm options', () => {
  it('forgetBias adds to the f rows (H..2H) of bias_ih at init and nowhere else', async () => {
    const be = createCpuBackend();
    const H = 5;
    const plain = lstm({ inputSize: 3, hiddenSize: H, dtype: 'f64' }).init(createRng(4), be);
    const biased = lstm({ inputSize: 3, hiddenSize: H, forgetBias: 1, dtype: 'f64' }).init(createRng(4), be);
    const a = Array.from(await plain.bias_ih!.read());
    const b = Array.from(await biased.bias_ih!.read());
    for (let j = 0; j < 4 * H; j++) {
      if (j >= H && j < 2 * H) expect(b[j]! - a[j]!, `bias_ih[${j}] (f gate)`).toBeCloseTo(1, 12);
      else expect(b[j], `bias_ih[${j}] (i, g or o gate)`).toBe(a[j]);
    }
    // Every other parameter, bias_hh included, is drawn exactly as without the option.
    for (const name of ['weight_ih', 'weight_hh', 'bias_hh'] as const)
      expect(Array.from(await biased[name]!.read()), name).toEqual(Array.from(await plain[name]!.read()));
    treeDispose(plain);
    treeDispose(biased);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('cellClip keeps c in [−clip, clip], and the gradient through a clip that bites is right', async () => {
    const be = createCpuBackend();
    const clip = 0.3;
    const cell = lstm({ inputSize: 3, hiddenSize: 4, cellClip: clip, dtype: 'f64' });
    const params = cell.init(createRng(0), be);
    const xs = normal(createRng(1), be, [4, 2, 3], 0, 3, { dtype: 'f64' });
    const h0 = normal(createRng(2), be, [2, 4], 0, 0.5, { dtype: 'f64' });
    const c0 = normal(createRng(3), be, [2, 4], 0, 0.5, { dtype: 'f64' });
    const n = treeLeaves(params).length;
    const run = (...ins: Tensor[]): { outs: Tensor[]; cs: Tensor[] } => {
      const [weight_ih, weight_hh, bias_ih, bias_hh] = ins.slice(0, n);
      const p: LstmParams = { weight_ih: weight_ih!, weight_hh: weight_hh!, bias_ih, bias_hh };
      let state = { h: ins[n + 1]!, c: ins[n + 2]! };
      const outs: Tensor[] = [];
      const cs: Tensor[] = [];
      for (let t = 0; t < 4; t++) {
        const r = cell.step(p, state, select(ins[n]!, 0, t));
        state = r.state;
        outs.push(r.y, r.state.c);
        cs.push(r.state.c);
      }
      return { outs, cs };
    };
    const cs = scope(() => run(...treeLeaves(params), xs, h0, c0).cs);
    const cValues = (await Promise.all(cs.map((c) => c.read()))).flatMap((v) => Array.from(v));
    expect(cValues.every((v) => Math.abs(v) <= clip)).toBe(true);
    expect(cValues.filter((v) => Math.abs(v) === clip).length, 'entries held at the clip').toBeGreaterThan(4);
    expect(cValues.filter((v) => Math.abs(v) < clip).length, 'entries inside the clip').toBeGreaterThan(4);
    for (const t of tensorsIn(cs)) t.dispose();
    await assertGradcheck((...ins) => {
      const { outs } = run(...ins);
      return concat(outs.map((o) => reshape(o, [o.size])), 0);
    }, [...treeLeaves(params), xs, h0, c0]);
    for (const t of [...treeLeaves(params), xs, h0, c0]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });
});
