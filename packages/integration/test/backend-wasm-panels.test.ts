// The wasm backend keeps weights packed into GEMM panels across calls (PanelCache): results are
// bit-identical with and without, a freed weight's panels never serve a new tensor, and training
// with repeated inference between steps keeps engine memory flat.
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { scan } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { linear } from '@rnnkit/nn';
import { createRng, exp, matmul, scope, tensor, treeDispose, type Backend, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';

const [I, H, B, T, V] = [12, 20, 3, 5, 7];

const cells: [string, () => Cell<ParamTree, CellState>][] = [
  ['lstm', () => lstm({ inputSize: I, hiddenSize: H })],
  ['gru reset-after', () => gru({ inputSize: I, hiddenSize: H, resetAfter: true })],
  ['gru reset-before', () => gru({ inputSize: I, hiddenSize: H, resetAfter: false })],
  ['rnn', () => rnn({ inputSize: I, hiddenSize: H })],
];

/** Logits of a cell and a linear head over the same input, three times with the same weights. */
async function threeRuns(be: Backend, makeCell: () => Cell<ParamTree, CellState>): Promise<number[][]> {
  const rng = createRng(7);
  const cell = makeCell();
  const head = linear({ inputSize: H, outputSize: V });
  const params = { cell: cell.init(rng, be), head: head.init(rng, be) };
  const x = tensor(be, rng.normalArray(T * B * I), [T, B, I], 'f32');
  const out: number[][] = [];
  for (let run = 0; run < 3; run++) {
    const y: Tensor = scope(() => head.apply(params.head, scan(cell, params.cell, x).ys));
    out.push(Array.from(await y.read()));
    y.dispose();
  }
  treeDispose(params);
  x.dispose();
  expect(be.stats().liveHandles).toBe(0);
  return out;
}

describe.each(cells)('kept GEMM panels (%s)', (_name, makeCell) => {
  it('every call gives bit-identical logits, with kept panels and without', async () => {
    for (const simd of ['simd', 'none'] as const) {
      const kept = await threeRuns(createWasmBackend({ simd }), makeCell);
      const fresh = await threeRuns(createWasmBackend({ simd, panelBytes: 0 }), makeCell);
      expect(kept).toEqual(fresh);
      expect(kept[1]).toEqual(kept[0]);
      expect(kept[2]).toEqual(kept[0]);
    }
  });
});

describe('kept GEMM panels and freed weights', () => {
  it('a freed weight whose array the pool hands to a new tensor is never read stale', async () => {
    const be = createWasmBackend({ simd: 'simd' });
    const N = 64;
    const values = (seed: number) => Float32Array.from({ length: N * N }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
    const a = tensor(be, values(1), [N, N], 'f32');
    let w = tensor(be, values(2), [N, N], 'f32');
    for (let i = 0; i < 3; i++) matmul(a, w).dispose(); // w's panels are kept from the second call
    w.dispose(); // its array goes to the pool, its panels are freed
    w = exp(a); // same size: likely the recycled array, new contents
    const y = matmul(a, w);
    const ref = createWasmBackend({ simd: 'simd', panelBytes: 0 });
    const [ra, rw] = [tensor(ref, await a.read(), [N, N], 'f32'), tensor(ref, await w.read(), [N, N], 'f32')];
    const y2 = matmul(ra, rw);
    expect(Array.from(await y.read())).toEqual(Array.from(await y2.read()));
    for (const t of [a, w, y, ra, rw, y2]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('engine memory stays flat when each step has new weights, each used for inference three times', () => {
    const be = createWasmBackend({ simd: 'simd' });
    const rng = createRng(5);
    const cell = lstm({ inputSize: I, hiddenSize: 64 });
    const x = tensor(be, rng.normalArray(40 * 8 * I), [40, 8, I], 'f32');
    const scratch: number[] = [];
    for (let step = 0; step < 12; step++) {
      const params = cell.init(rng, be); // new weights, as after an optimiser step
      for (let i = 0; i < 3; i++) scope(() => scan(cell, params, x).ys).dispose();
      treeDispose(params);
      scratch.push(be.scratchBytes());
    }
    x.dispose();
    expect(be.stats().liveHandles).toBe(0);
    expect(new Set(scratch.slice(2)).size).toBe(1);
  });

  it('rejects a panelBytes that is not a byte count', () => {
    expect(() => createWasmBackend({ panelBytes: -1 })).toThrow(/panelBytes must be a number of bytes ≥ 0, got -1/);
  });
});
