import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, type LstmParams } from '@rnnkit/cells';
import { adamw, applyUpdates, chain, clipByGlobalNorm, disposeState, warmupCosine } from '@rnnkit/optim';
import { add, createRng, matmul, mean, normal, reshape, scope, select, square, sub, uniform, zeros, type Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';

const T = 6;
const B = 32;
const H = 12;

describe('optim × cells: a small LSTM trains', () => {
  it('learns to recall its first input with chain(clipByGlobalNorm(1), adamw(warm-up + cosine))', async () => {
    const be = createCpuBackend();
    const rng = createRng(7);
    const cell = lstm({ inputSize: 2, hiddenSize: H, dtype: 'f64' });
    type Params = { cell: LstmParams; head: { w: Tensor; b: Tensor } };
    let params: Params = { cell: cell.init(rng, be), head: { w: normal(rng, be, [H, 1], 0, 0.3, { dtype: 'f64' }), b: zeros(be, [1], 'f64') } };

    // xs: [T, B, 2] in [−1, 1]; the target is the first feature of the first step, read out after T steps.
    const batch = () => scope(() => {
      const xs = uniform(rng, be, [T, B, 2], -1, 1, { dtype: 'f64' });
      return { xs, y: reshape(select(select(xs, 0, 0), 1, 0), [B, 1]) };
    });
    const loss = (p: Params, xs: Tensor, y: Tensor): Tensor => {
      let state = cell.zeroState(B, be);
      for (let t = 0; t < T; t++) state = cell.step(p.cell, state, select(xs, 0, t)).state;
      return mean(square(sub(add(matmul(state.h, p.head.w), p.head.b), y)));
    };
    const step = valueAndGrad(loss);

    const steps = 300;
    const opt = chain(clipByGlobalNorm(1), adamw(warmupCosine({ init: 0, peak: 0.03, warmupSteps: 20, decaySteps: steps }), { weightDecay: 1e-4 }));
    let state = opt.init(params);
    const evalBatch = batch();
    const evaluate = async () => {
      const l = scope(() => loss(params, evalBatch.xs, evalBatch.y));
      const v = await l.item();
      l.dispose();
      return v;
    };
    const before = await evaluate();
    let live = 0;
    for (let i = 0; i < steps; i++) {
      const { xs, y } = batch();
      const { value, grads } = step(params, xs, y);
      const [updates, next] = opt.update(grads, state, params);
      params = applyUpdates<Params>(params, updates, { donate: true });
      disposeState([state, grads, value, xs, y]);
      state = next;
      if (i === 10) live = be.stats().liveHandles;
      if (i > 10) expect(be.stats().liveHandles).toBe(live);
    }
    const after = await evaluate();
    // The pre-clip gradient norm of the last step is in the state, on the device.
    expect(await state[0].norm.item()).toBeGreaterThan(0);
    expect(after, `held-out MSE ${before.toFixed(4)} → ${after.toFixed(4)}`).toBeLessThan(before * 0.05);
    disposeState([params, state, evalBatch]);
  }, 120_000);
});
