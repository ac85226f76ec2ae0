// The wasm backend keeps large results resident in WebAssembly memory (ADR 0013) and saved
// activations pinned there (ADR 0012): over many training steps, with inference in between, neither
// the live handles nor the engine's memory may grow.
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { valueAndGrad } from '@rnnkit/autograd';
import { scan } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { linear, softmaxCrossEntropy } from '@rnnkit/nn';
import { adam, applyUpdates, disposeState } from '@rnnkit/optim';
import { createRng, scope, tensor, treeDispose, type Cell, type CellState, type ParamTree } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';

// Big enough that every cell's input projection, hs and their gradients (T·B·H floats = 320 KiB and
// more, past the 256 KiB threshold) become resident.
const [I, H, B, T, V] = [32, 64, 16, 80, 40];

const cells: [string, () => Cell<ParamTree, CellState>][] = [
  ['lstm', () => lstm({ inputSize: I, hiddenSize: H })],
  ['gru', () => gru({ inputSize: I, hiddenSize: H })],
  ['rnn', () => rnn({ inputSize: I, hiddenSize: H })],
];

describe.each(cells)('backend-wasm memory over training and inference (%s)', (_name, makeCell) => {
  it('keeps live handles and engine memory flat over 20 steps with inference between them', async () => {
    const be = createWasmBackend({ simd: 'simd' });
    const rng = createRng(3);
    const cell = makeCell();
    const head = linear({ inputSize: H, outputSize: V });
    let params: { cell: ParamTree; head: ParamTree } = { cell: cell.init(rng, be), head: head.init(rng, be) };
    const x = tensor(be, rng.normalArray(T * B * I), [T, B, I], 'f32');
    const y = tensor(be, Int32Array.from({ length: T * B }, (_, i) => (i * 7) % V), [T, B], 'i32');
    const opt = adam(1e-2);
    let state = opt.init(params);
    const lossOf = (p: typeof params) => scope(() => softmaxCrossEntropy(head.apply(p.head as never, scan(cell, p.cell, x).ys), y));
    const logits = new Float32Array(T * B * V);
    const handles: number[] = [];
    const engineBytes: number[] = [];
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { value, grads } = valueAndGrad(lossOf)(params);
      const [updates, next] = opt.update(grads, state, params);
      params = applyUpdates<typeof params>(params, updates, { donate: true });
      disposeState([state, grads]);
      state = next;
      losses.push((await value.read())[0]!);
      value.dispose();
      scope(() => head.apply(params.head as never, scan(cell, params.cell, x).ys).readSync(logits));
      handles.push(be.stats().liveHandles);
      engineBytes.push(be.scratchBytes());
    }
    expect(new Set(handles).size).toBe(1);
    // The first steps size the engine's memory; after that it stays.
    expect(new Set(engineBytes.slice(2)).size).toBe(1);
    expect(losses[19]).toBeLessThan(losses[0]!);
    expect(logits.every(Number.isFinite)).toBe(true);
    treeDispose([params, x, y]);
    disposeState(state);
    expect(be.stats().liveHandles).toBe(0);
  });
});
