// A cell none of PyTorch, Keras or tfjs ships (MGU, written in one file with defineCell) gets
// variable lengths, packing, reverse, stacks, bidirectionality, taps, streaming and truncated
// and checkpointed BPTT from this package without a line of its own.
import { describe, expect, it } from 'vitest';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { mgu, type MguParams, type MguState } from '@rnnkit/cells';
import {
  add, copy, createRng, mul, narrow, normal, reshape, select, stack, sum, tensor, tensorsIn, treeDispose, treeFlatten, treeLeaves, treeMap,
  type Backend, type Tensor,
} from '@rnnkit/tensor';
import { assertGradcheck, expectClose } from '@rnnkit/testing';
import { recurrent, scan, segmentedBptt, truncatedBptt, type Window } from '../src/index.js';

const [I, H, B, T] = [3, 4, 4, 6];
const cell = mgu({ inputSize: I, hiddenSize: H, dtype: 'f64' });
const lengths = [4, 6, 1, 3]; // unsorted, one full, one of a single step

const read = async (t: Tensor): Promise<number[]> => Array.from(await t.read());
const disposeAll = (...things: unknown[]): void => {
  for (const t of tensorsIn(things)) t.dispose();
};

function setup(): { be: Backend; params: MguParams; xs: Tensor } {
  const be = createCpuBackend();
  return { be, params: cell.init(createRng(0), be), xs: normal(createRng(1), be, [T, B, I], 0, 1, { dtype: 'f64' }) };
}

describe('a custom cell (MGU) over @rnnkit/bptt', () => {
  it('never takes a fused path: it declares no sequenceKernel, so scan runs its project + stepProjected', () => {
    expect(cell.sequenceKernel).toBeUndefined();
    expect(typeof cell.project).toBe('function');
  });

  for (const reverse of [false, true]) {
    for (const padding of ['right', 'left'] as const) {
      it(`packed == lengths == mask, and each sequence ends where it should (${reverse ? 'reverse' : 'forward'}, ${padding} padding)`, async () => {
        const { be, params, xs } = setup();
        const owned: unknown[] = [params, xs];
        const valid = (t: number, b: number) => (padding === 'right' ? t < lengths[b]! : t >= T - lengths[b]!);
        const mask = tensor(be, Uint8Array.from({ length: B * T }, (_, i) => (valid(i % T, Math.floor(i / T)) ? 1 : 0)), [B, T], 'bool');
        const masked = scan(cell, params, xs, { lengths, padding, reverse });
        const packed = scan(cell, params, xs, { lengths, padding, reverse, packed: true });
        const viaMask = scan(cell, params, xs, { mask, reverse });
        owned.push(mask, masked, packed, viaMask);
        const ys = await read(masked.ys);
        expectClose(await packed.ys.read(), ys, 'f64', 'ys packed vs lengths');
        expectClose(await viaMask.ys.read(), ys, 'f64', 'ys mask vs lengths');
        expectClose(await packed.state.h.read(), await masked.state.h.read(), 'f64', 'h packed vs lengths');
        expectClose(await viaMask.state.h.read(), await masked.state.h.read(), 'f64', 'h mask vs lengths');
        // Padded steps output zero.
        for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) if (!valid(t, b)) expect(ys.slice((t * B + b) * H, (t * B + b + 1) * H)).toEqual(new Array(H).fill(0));
        // The final state of each sequence is that of scanning its valid steps alone.
        const h = await read(masked.state.h);
        for (let b = 0; b < B; b++) {
          const start = padding === 'right' ? 0 : T - lengths[b]!;
          const column = narrow(xs, 1, b, 1);
          const alone = narrow(column, 0, start, lengths[b]!);
          const r = scan(cell, params, alone, { reverse });
          owned.push(column, alone, r);
          expectClose(h.slice(b * H, (b + 1) * H), await read(r.state.h), 'f64', `final h of sequence ${b}`);
        }
        disposeAll(owned);
        expect(be.stats().liveHandles).toBe(0);
      });
    }
  }

  it('packed gradients equal masked gradients (every parameter, the input and the initial state)', async () => {
    const { be, params, xs } = setup();
    const h0 = normal(createRng(2), be, [B, H], 0, 0.5, { dtype: 'f64' });
    const w = normal(createRng(3), be, [T, B, H], 0, 1, { dtype: 'f64' });
    const loss = (packed: boolean) => (p: { params: MguParams; xs: Tensor; h0: Tensor }) => {
      const r = scan(cell, p.params, p.xs, { lengths, packed, initialState: { h: p.h0 } });
      return sum(mul(r.ys, w));
    };
    const a = valueAndGrad(loss(false))({ params, xs, h0 });
    const b = valueAndGrad(loss(true))({ params, xs, h0 });
    expectClose([await b.value.item()], [await a.value.item()], 'f64', 'loss');
    const ga = treeFlatten(a.grads);
    const gb = treeFlatten(b.grads);
    expect(gb.map(([k]) => k)).toEqual(['params.weight_ih', 'params.weight_hh', 'params.bias_ih', 'params.bias_hh', 'xs', 'h0']);
    for (const [i, [k, g]] of ga.entries()) expectClose(await gb[i]![1].read(), await g.read(), 'f64', `d loss / d ${k}`);
    disposeAll(params, xs, h0, w, a, b);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('a tap sees the MGU forget gate at every step', () => {
    const { be, params, xs } = setup();
    const seen: number[] = [];
    const r = scan(cell, params, xs, {
      lengths,
      tap: {
        onStep: (e) => {
          expect(e.aux.f!.shape).toEqual([B, H]);
          seen.push(e.t);
        },
      },
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    disposeAll(params, xs, r);
    expect(be.stats().liveHandles).toBe(0);
  });

  // StateGradEvent promises the total gradient: through the step's output and every later step.
  it('a tap sees the total ∂L/∂h_t at every step, through the output and every later step', async () => {
    const { be, params, xs } = setup();
    const w = normal(createRng(3), be, [T, B, H], 0, 1, { dtype: 'f64' });
    const tapped = new Map<number, number[]>(); // read at once: the tap's tensors are borrowed
    const out = valueAndGrad((p: MguParams) => {
      const r = scan(cell, p, xs, { tap: { onStateGrad: (e) => void (e.grad.h && tapped.set(e.t, Array.from(e.grad.h.readSync()))) } });
      return sum(mul(r.ys, w));
    })(params);
    // The same total, independently: ∂L/∂δ_t where δ_t (zero) is added to h_t after step t.
    const deltas = Array.from({ length: T }, () => cell.zeroState(B, be).h);
    const total = valueAndGrad((d: Tensor[]) => {
      let state: MguState = cell.zeroState(B, be);
      const ys: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const h = add(cell.step(params, state, select(xs, 0, t)).state.h, d[t]!);
        state = { h };
        ys.push(h);
      }
      return sum(mul(stack(ys, 0), w));
    })(deltas);
    try {
      for (let t = 0; t < T; t++) {
        expect(tapped.has(t), `onStateGrad at step ${t}`).toBe(true);
        expectClose(tapped.get(t)!, await total.grads[t]!.read(), 'f64', `∂L/∂h_${t}`);
      }
    } finally {
      disposeAll(params, xs, w, out, deltas, total);
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('stateful streaming: two calls passing the state on equal one call; the batch size is per call', async () => {
    const { be, params, xs } = setup();
    const whole = scan(cell, params, xs);
    const first = narrow(xs, 0, 0, 2);
    const rest = narrow(xs, 0, 2, T - 2);
    const a = scan(cell, params, first);
    const b = scan(cell, params, rest, { initialState: a.state });
    expectClose(await b.state.h.read(), await whole.state.h.read(), 'f64', 'h after streaming');
    expectClose(await b.ys.read(), (await read(whole.ys)).slice(2 * B * H), 'f64', 'ys of the second call');
    // Another stream with another batch size, through the same parameters.
    const small = narrow(xs, 1, 0, 1);
    const c = scan(cell, params, small);
    expect(c.state.h.shape).toEqual([1, H]);
    disposeAll(params, xs, whole, first, rest, a, b, small, c);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('stacks: 2 bidirectional layers with packed lengths run, equal the masked run, and pass a finite-difference spot check', async () => {
    const be = createCpuBackend();
    const model = recurrent({ inputSize: I, numLayers: 2, bidirectional: true, cell: (inputSize) => mgu({ inputSize, hiddenSize: H, dtype: 'f64' }) });
    const params = model.init(createRng(0), be);
    expect(treeFlatten(params).map(([k, t]) => `${k} ${t.shape.join('x')}`)).toEqual([
      'layers.0.forward.weight_ih 8x3', 'layers.0.forward.weight_hh 8x4', 'layers.0.forward.bias_ih 8', 'layers.0.forward.bias_hh 8',
      'layers.0.reverse.weight_ih 8x3', 'layers.0.reverse.weight_hh 8x4', 'layers.0.reverse.bias_ih 8', 'layers.0.reverse.bias_hh 8',
      'layers.1.forward.weight_ih 8x8', 'layers.1.forward.weight_hh 8x4', 'layers.1.forward.bias_ih 8', 'layers.1.forward.bias_hh 8',
      'layers.1.reverse.weight_ih 8x8', 'layers.1.reverse.weight_hh 8x4', 'layers.1.reverse.bias_ih 8', 'layers.1.reverse.bias_hh 8',
    ]);
    const xs = normal(createRng(1), be, [T, B, I], 0, 1, { dtype: 'f64' });
    const masked = model.run(params, xs, { lengths });
    const packed = model.run(params, xs, { lengths, packed: true });
    expect(packed.ys.shape).toEqual([T, B, 2 * H]);
    expectClose(await packed.ys.read(), await masked.ys.read(), 'f64', 'ys of the stack, packed vs masked');
    for (const layer of [0, 1])
      for (const dir of ['forward', 'reverse'] as const)
        expectClose(await packed.states[layer]![dir]!.h.read(), await masked.states[layer]![dir]!.h.read(), 'f64', `h of layer ${layer} ${dir}`);
    disposeAll(masked, packed);
    // Gradients w.r.t. every parameter and the input, spot-checked against central differences.
    const leaves = treeLeaves(params);
    await assertGradcheck(
      (...ins: Tensor[]) => {
        let i = 0;
        const p = treeMap(params, () => ins[i++]!) as unknown as typeof params;
        return model.run(p, ins[leaves.length]!, { lengths, packed: true }).ys;
      },
      [...leaves, xs],
      { maxElements: 6, randomDirections: 1 },
    );
    disposeAll(params, xs);
    expect(be.stats().liveHandles).toBe(0);
  });

  // Window losses: Σ ys·w over the window's loss steps, inputs cut from one sequence.
  function windowLoss(xs: Tensor, w: Tensor) {
    return (p: MguParams, win: Window, state: MguState): readonly [Tensor, MguState] => {
      const x = narrow(xs, 0, win.start, win.end - win.start);
      const r = scan(cell, p, x, { initialState: state });
      const ys = narrow(r.ys, 0, win.lossStart - win.start, win.end - win.lossStart);
      const ww = narrow(w, 0, win.lossStart, win.end - win.lossStart);
      const loss = sum(mul(ys, ww));
      disposeAll(x, r.ys, ys, ww);
      return [loss, r.state];
    };
  }

  it('truncatedBptt: one window is full BPTT; shorter windows carry the state and detach it', async () => {
    const { be, params, xs } = setup();
    const w = normal(createRng(3), be, [T, B, H], 0, 1, { dtype: 'f64' });
    const h0 = cell.zeroState(B, be);
    const full = valueAndGrad((p: MguParams) => sum(mul(scan(cell, p, xs).ys, w)))(params);
    const copies = (grads: MguParams): MguParams => treeMap(grads, (g) => copy(g));

    // k1 = T: a single window, the exact gradient.
    const one: MguParams[] = [];
    const lastOne = truncatedBptt({ length: T, k1: T, initialState: h0, loss: windowLoss(xs, w), params: () => params, update: (g) => one.push(copies(g)) });
    expect(one).toHaveLength(1);
    for (const [k, g] of treeFlatten(full.grads)) expectClose(await treeFlatten(one[0]!).find(([n]) => n === k)![1].read(), await g.read(), 'f64', `d loss / d ${k}`);

    // k1 = 2: three windows; the final state is the full scan's, each window's gradient stops at its start.
    const windows: { grads: MguParams; loss: number; window: Window }[] = [];
    const last = truncatedBptt({
      length: T, k1: 2, initialState: h0, loss: windowLoss(xs, w), params: () => params,
      update: (g, loss, window) => windows.push({ grads: copies(g), loss: loss.readSync()[0]!, window }),
    });
    expect(windows.map((x) => x.window)).toEqual([{ start: 0, end: 2, lossStart: 0 }, { start: 2, end: 4, lossStart: 2 }, { start: 4, end: 6, lossStart: 4 }]);
    const whole = scan(cell, params, xs);
    expectClose(await last.h.read(), await whole.state.h.read(), 'f64', 'final state after truncated windows');
    expectClose([windows.reduce((s, x) => s + x.loss, 0)], [await full.value.item()], 'f64', 'sum of window losses');
    // Window 2 alone: start from the (constant) state after step 2.
    const first2 = narrow(xs, 0, 0, 2);
    const upTo2 = scan(cell, params, first2);
    const w2 = valueAndGrad((p: MguParams) => windowLoss(xs, w)(p, { start: 2, end: 4, lossStart: 2 }, upTo2.state)[0])(params);
    for (const [k, g] of treeFlatten(w2.grads)) expectClose(await treeFlatten(windows[1]!.grads).find(([n]) => n === k)![1].read(), await g.read(), 'f64', `window 2: d loss / d ${k}`);
    disposeAll(params, xs, w, h0, full, one, lastOne, windows.map((x) => x.grads), last, whole, first2, upTo2, w2);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('segmentedBptt: checkpointed segments give the full gradient', async () => {
    const { be, params, xs } = setup();
    const w = normal(createRng(3), be, [T, B, H], 0, 1, { dtype: 'f64' });
    const h0 = cell.zeroState(B, be);
    const full = valueAndGrad((p: MguParams) => sum(mul(scan(cell, p, xs).ys, w)))(params);
    const ckpt = segmentedBptt(params, { length: T, segment: 2, mode: 'checkpointed', initialState: h0, loss: windowLoss(xs, w) });
    expectClose([await ckpt.value.item()], [await full.value.item()], 'f64', 'loss');
    for (const [k, g] of treeFlatten(full.grads)) expectClose(await treeFlatten(ckpt.grads).find(([n]) => n === k)![1].read(), await g.read(), 'f64', `d loss / d ${k}`);
    const lastH = select(reshape(scan(cell, params, xs).state.h, [1, B, H]), 0, 0);
    expectClose(await ckpt.state.h.read(), await lastH.read(), 'f64', 'final state');
    disposeAll(params, xs, w, h0, full, ckpt, lastH);
    treeDispose([]);
  });
});
