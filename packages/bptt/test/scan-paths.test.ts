import { describe, expect, it } from 'vitest';
import { add, createRng, mean, mul, normal, sum, treeDispose, treeFlatten, type Cell, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { scan, type ScanOptions } from '../src/index.js';

const T = 5;
const B = 4;
const I = 3;
const H = 4;
const cells: [string, Cell][] = [
  ['rnn tanh', rnn({ inputSize: I, hiddenSize: H, dtype: 'f64' })],
  ['rnn relu', rnn({ inputSize: I, hiddenSize: H, activation: 'relu', dtype: 'f64' })],
  ['lstm', lstm({ inputSize: I, hiddenSize: H, dtype: 'f64' })],
  ['gru reset-after', gru({ inputSize: I, hiddenSize: H, dtype: 'f64' })],
  ['gru reset-before', gru({ inputSize: I, hiddenSize: H, resetAfter: false, dtype: 'f64' })],
];

async function run(cell: Cell, params: ParamTree, xs: Tensor, w: Tensor, options: ScanOptions) {
  const be = xs.backend;
  const h0 = cell.zeroState(B, be);
  const f = (p: { params: ParamTree; xs: Tensor }) => {
    const { ys, state } = scan(cell, p.params, p.xs, options);
    let total = sum(mul(ys, w));
    for (const s of Object.values(state)) total = sumOf(total, mean(mul(s, s)));
    return total;
  };
  const { value, grads } = valueAndGrad(f)({ params, xs });
  const out = { value: await value.item(), grads: await Promise.all(treeFlatten(grads).map(async ([k, g]) => [k, Array.from(await g.read())] as const)) };
  value.dispose();
  treeDispose(grads);
  treeDispose(h0);
  return out;
}

const sumOf = (a: Tensor, b: Tensor) => add(a, b);

describe('scan paths agree', () => {
  for (const [name, cell] of cells) {
    it(`${name}: fused, composite, masked and packed give the same values and gradients`, async () => {
      const be = createCpuBackend();
      const rng = createRng(11);
      const params = cell.init(rng, be);
      const xs = normal(rng, be, [T, B, I], 0, 1, { dtype: 'f64' });
      const w = normal(rng, be, [T, B, H], 0, 1, { dtype: 'f64' });
      const lengths = [3, 5, 1, 4];
      for (const reverse of [false, true]) {
        const base = await run(cell, params, xs, w, { lengths, reverse, fused: false });
        for (const opts of [{ lengths, reverse }, { lengths, reverse, packed: true }] as ScanOptions[]) {
          const got = await run(cell, params, xs, w, opts);
          expect(got.value).toBeCloseTo(base.value, 12);
          got.grads.forEach(([k, g], i) => {
            expect(k).toBe(base.grads[i]![0]);
            g.forEach((v, j) => expect(v).toBeCloseTo(base.grads[i]![1][j]!, 11));
          });
        }
      }
      const full = await run(cell, params, xs, w, { fused: false });
      const fusedFull = await run(cell, params, xs, w, {});
      expect(fusedFull.value).toBeCloseTo(full.value, 12);
      treeDispose(params);
      xs.dispose();
      w.dispose();
      expect(be.stats().liveHandles).toBe(0);
    });
  }
});
