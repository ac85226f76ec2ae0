import { describe, expect, it } from 'vitest';
import { copy, createRng, mul, normal, sum, treeDispose, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend, type CpuHandle } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';
import { lstm, type LstmParams, type LstmState } from '@rnnkit/cells';
import { expectClose } from '@rnnkit/testing';
import { scan } from '../src/index.js';

const [T, B, I, H] = [6, 3, 2, 4];

describe('per-step taps', () => {
  it('see h, c, gates and ∂L/∂h_t, ∂L/∂c_t equal to the fused kernel’s, without changing the result', async () => {
    const be = createCpuBackend();
    const cell = lstm({ inputSize: I, hiddenSize: H, dtype: 'f64' });
    const rng = createRng(5);
    const params = cell.init(rng, be);
    const xs = normal(rng, be, [T, B, I], 0, 1, { dtype: 'f64' });
    const w = normal(rng, be, [T, B, H], 0, 1, { dtype: 'f64' });
    const seen: { t: number; h: Tensor; c: Tensor; f: Tensor }[] = [];
    const grads = new Map<number, { h: Tensor; c?: Tensor }>(); // absent = zero (nothing uses c_T)
    const tap = {
      onStep: (e: { t: number; state: LstmState; aux: Readonly<Record<string, Tensor>> }) => {
        seen.push({ t: e.t, h: copy(e.state.h), c: copy(e.state.c), f: copy(e.aux['f']!) });
      },
      onStateGrad: (e: { t: number; grad: { h?: Tensor; c?: Tensor } }) => {
        grads.set(e.t, { h: copy(e.grad.h!), ...(e.grad.c ? { c: copy(e.grad.c) } : {}) });
      },
    };
    const lossWith = (withTap: boolean) => (p: { params: LstmParams }) => {
      const { ys, state } = scan(cell, p.params, xs, withTap ? { tap } : {});
      for (const s of Object.values(state)) s.dispose();
      return sum(mul(ys, w));
    };
    const tapped = valueAndGrad(lossWith(true))({ params });
    const plain = valueAndGrad(lossWith(false))({ params }); // the fused kernel on this backend
    expectClose(await tapped.value.read(), await plain.value.read(), 'f64');
    expectClose(await tapped.grads.params.weight_hh.read(), await plain.grads.params.weight_hh.read(), 'f64');
    expect(seen.map((s) => s.t)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...grads.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    // The fused kernel's own per-step values, asked for directly.
    const fused = be.fused!;
    const xProj = cell.project!(params, xs);
    const h0 = cell.zeroState(B, be);
    const args = {
      xProj: xProj.view() as never, h0: h0.h.view() as never, c0: h0.c.view() as never,
      wHh: params.weight_hh.view() as never, bHh: params.bias_hh!.view() as never, options: {},
    };
    const fwd = fused.lstmSequence!(args);
    const bwd = fused.lstmSequenceBackward!(args, fwd, { dhs: w.view() as never, wantStateGrads: true });
    const hs = (fwd.hs).data;
    const dhs = (bwd.dhs as CpuHandle).data;
    const dcs = (bwd.dcs as CpuHandle).data;
    const row = (a: ArrayLike<number>, t: number) => Array.from(a).slice(t * B * H, (t + 1) * B * H);
    for (const s of seen) expectClose(await s.h.read(), row(hs, s.t), 'f64', `h at t=${s.t}`);
    for (const [t, g] of grads) {
      expectClose(await g.h.read(), row(dhs, t), 'f64', `dL/dh at t=${t}`);
      expectClose(g.c ? await g.c.read() : new Float64Array(B * H), row(dcs, t), 'f64', `dL/dc at t=${t}`);
    }
    const forgetMean = (await Promise.all(seen.map((s) => s.f.read()))).flatMap((a) => Array.from(a));
    expect(forgetMean.every((v) => v > 0 && v < 1)).toBe(true);

    for (const h of [fwd.hs, fwd.hT, fwd.cT, ...fwd.saved, bwd.dxProj, bwd.dh0, bwd.dc0, bwd.dWhh, bwd.dbHh, bwd.dhs, bwd.dcs]) if (h) be.free(h);
    for (const s of seen) for (const t of [s.h, s.c, s.f]) t.dispose();
    for (const g of grads.values()) for (const t of [g.h, g.c]) t?.dispose();
    for (const t of [tapped.value, plain.value, xProj, xs, w]) t.dispose();
    treeDispose([tapped.grads, plain.grads, params, h0]);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('cost nothing when absent: an untapped scan records no gradient taps', () => {
    const be = createCpuBackend();
    const cell = lstm({ inputSize: I, hiddenSize: H });
    const params = cell.init(createRng(1), be);
    const xs = normal(createRng(2), be, [T, B, I]);
    const before = be.stats().liveHandles;
    const { ys, state } = scan(cell, params, xs, { fused: false });
    // Outputs and the final state are all that remain: no per-step state was kept alive.
    expect(be.stats().liveHandles - before).toBe(3);
    treeDispose([ys, state, params, xs]);
  });
});
