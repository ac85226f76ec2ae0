import { describe, expect, it } from 'vitest';
import { createRng, mul, sum, tensor, treeDispose, type Backend, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, type LstmParams, type LstmState } from '@rnnkit/cells';
import { linear, type LinearParams } from '@rnnkit/nn';
import { scan, segmentedBptt, truncatedBptt, type Window } from '../src/index.js';

const I = 4;
const H = 32;
const B = 8;
const cell = lstm({ inputSize: I, hiddenSize: H });
const head = linear({ inputSize: H, outputSize: 1 });
type Params = { cell: LstmParams; head: LinearParams };

// Inputs are made and uploaded inside each window from a seed, so nothing of size T exists up front.
function windowLoss(backend: Backend) {
  return (p: Params, w: Window, state: LstmState): readonly [Tensor, LstmState] => {
    const n = w.end - w.start;
    const xs = tensor(backend, createRng(1).fork(`x${w.start}`).normalArray(n * B * I).map(Math.fround), [n, B, I], 'f32');
    const { ys, state: next } = scan(cell, p.cell, xs, { initialState: state });
    const out = head.apply(p.head, ys);
    const loss = sum(mul(out, out));
    for (const t of [xs, ys, out]) t.dispose();
    return [loss, next];
  };
}

function peakOf(T: number, mode: 'full' | 'checkpointed' | 'truncated'): number {
  const backend = createCpuBackend();
  const rng = createRng(0);
  let params: Params = { cell: cell.init(rng, backend), head: head.init(rng, backend) };
  const initialState = cell.zeroState(B, backend);
  backend.resetPeak();
  const base = backend.stats().bytes;
  if (mode === 'truncated') {
    const last = truncatedBptt({ length: T, k1: 32, initialState, loss: windowLoss(backend), params: () => params, update: () => undefined });
    treeDispose(last);
  } else {
    const r = segmentedBptt(params, { length: T, segment: mode === 'full' ? 32 : Math.round(Math.sqrt(T)), mode, initialState, loss: windowLoss(backend) });
    r.value.dispose();
    treeDispose(r.grads);
    treeDispose(r.state);
  }
  const peak = backend.stats().peakBytes - base;
  treeDispose(params);
  treeDispose(initialState);
  params = undefined as never;
  expect(backend.stats().liveHandles).toBe(0);
  return peak;
}

describe('memory over sequence length (the O(T) cost of BPTT and its remedies)', () => {
  it('full BPTT peak memory grows linearly in T', () => {
    const r = peakOf(1024, 'full') / peakOf(256, 'full');
    expect(r).toBeGreaterThanOrEqual(3.5);
    expect(r).toBeLessThanOrEqual(4.5);
  });

  it('checkpointed BPTT peak memory grows like √T', () => {
    const r = peakOf(1024, 'checkpointed') / peakOf(256, 'checkpointed');
    expect(r).toBeGreaterThanOrEqual(1.6);
    expect(r).toBeLessThanOrEqual(2.5);
  });

  it('truncated BPTT peak memory does not grow with T', () => {
    expect(peakOf(1024, 'truncated') / peakOf(256, 'truncated')).toBeLessThanOrEqual(1.1);
  });

  it('checkpointed and full BPTT give the same loss and gradients', async () => {
    const backend = createCpuBackend();
    const rng = createRng(3);
    const params: Params = { cell: cell.init(rng, backend), head: head.init(rng, backend) };
    const initialState = cell.zeroState(B, backend);
    const full = segmentedBptt(params, { length: 40, segment: 8, mode: 'full', initialState, loss: windowLoss(backend) });
    const ckpt = segmentedBptt(params, { length: 40, segment: 8, mode: 'checkpointed', initialState, loss: windowLoss(backend) });
    expect(await ckpt.value.item()).toBe(await full.value.item());
    expect(Array.from(await ckpt.grads.cell.weight_hh.read())).toEqual(Array.from(await full.grads.cell.weight_hh.read()));
    for (const t of [full, ckpt]) {
      t.value.dispose();
      treeDispose(t.grads);
      treeDispose(t.state);
    }
    treeDispose(params);
    treeDispose(initialState);
    expect(backend.stats().liveHandles).toBe(0);
  });
});
