// The wasm backend with worker threads (`threads`): GEMMs split by column panels between workers
// and the calling thread on one shared WebAssembly memory give bit-identical results to one thread,
// for products, the fused bias, sequence forwards and every gradient of a training step.
import { setFlagsFromString } from 'node:v8';
import { valueAndGrad } from '@rnnkit/autograd';
import { createWasmBackend, detectSimd, type WasmBackend } from '@rnnkit/backend-wasm';
import { scan } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { linear, softmaxCrossEntropy } from '@rnnkit/nn';
import { createRng, matmul, scope, tensor, transpose, treeDispose, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { afterAll, describe, expect, it } from 'vitest';

// Test-only: Node 20 validates relaxed-SIMD modules only behind this flag. The library never sets flags.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const LEVELS = detectSimd() === 'relaxed' ? (['simd', 'relaxed'] as const) : (['simd'] as const);

describe.each(LEVELS)('threads (simd: %s)', (simd) => {
  const backends = [1, 2, 3].map((threads) => createWasmBackend({ simd, threads }));
  afterAll(() => {
    for (const be of backends) be.close();
  });

  /** `f` on every backend (1, 2 and 3 threads), each result read back. */
  async function onEach(f: (be: WasmBackend) => Tensor[]): Promise<number[][][]> {
    const out: number[][][] = [];
    for (const be of backends) {
      const ts = f(be);
      out.push(await Promise.all(ts.map(async (t) => Array.from(await t.read()))));
      for (const t of ts) t.dispose();
      expect(be.stats().liveHandles).toBe(0);
    }
    return out;
  }

  /** Elements of each result that differ from the one-thread backend's, per backend (all should be 0). */
  function differences(results: number[][][]): number[][] {
    return results.slice(1).map((r) => r.map((t, i) => t.filter((v, j) => !Object.is(v, results[0]![i]![j])).length + Math.abs(t.length - results[0]![i]!.length)));
  }
  const zeros = (results: number[][][]) => results.slice(1).map((r) => r.map(() => 0));

  it('reports its threads', () => {
    expect(backends.map((be) => be.threads)).toEqual([1, 2, 3]);
  });

  // [M, K, N]: panel tails (N = 70, 1030), a few rows, a single panel (N = 8: not split), and one
  // too small to split.
  it.each([[64, 300, 70], [200, 128, 1030], [3, 512, 1000], [512, 256, 8], [20, 30, 40]])('matmul M=%i K=%i N=%i is bit-identical', async (M, K, N) => {
    const rng = createRng(M + K + N);
    const [a, b] = [rng.normalArray(M * K), rng.normalArray(K * N)];
    const results = await onEach((be) => scope(() => {
      const A = tensor(be, a, [M, K], 'f32');
      const Bm = tensor(be, b, [K, N], 'f32');
      const Bt = tensor(be, b, [N, K], 'f32');
      return [matmul(A, Bm), matmul(A, transpose(Bt))];
    }));
    expect(differences(results)).toEqual(zeros(results));
  });

  it('the fused bias of a linear layer over [T, B, H] is bit-identical', async () => {
    const [T, B, H, V] = [20, 16, 256, 130];
    const x = createRng(1).normalArray(T * B * H);
    const layer = linear({ inputSize: H, outputSize: V });
    const results = await onEach((be) => scope(() => {
      const p = layer.init(createRng(2), be);
      const y = layer.apply(p, tensor(be, x, [T, B, H], 'f32'));
      treeDispose(p);
      return [y];
    }));
    expect(differences(results)).toEqual(zeros(results));
  });

  const cells: [string, () => Cell<ParamTree, CellState>][] = [
    ['lstm', () => lstm({ inputSize: 64, hiddenSize: 256 })],
    ['gru reset-after', () => gru({ inputSize: 64, hiddenSize: 256, resetAfter: true })],
    ['gru reset-before', () => gru({ inputSize: 64, hiddenSize: 256, resetAfter: false })],
    ['rnn', () => rnn({ inputSize: 64, hiddenSize: 256 })],
  ];

  it.each(cells)('%s: a training step (loss and every gradient) and inference are bit-identical', async (_name, makeCell) => {
    const [T, B, I, V] = [6, 32, 64, 50];
    const rng = createRng(3);
    const x = rng.normalArray(T * B * I);
    const y = Int32Array.from({ length: T * B }, (_, i) => (i * 7) % V);
    const results = await onEach((be) => {
      const cell = makeCell();
      const head = linear({ inputSize: 256, outputSize: V });
      const r = createRng(4);
      const params = { cell: cell.init(r, be), head: head.init(r, be) };
      const xs = tensor(be, x, [T, B, I], 'f32');
      const ys = tensor(be, y, [T, B], 'i32');
      const lossOf = (p: typeof params) => scope(() => softmaxCrossEntropy(head.apply(p.head, scan(cell, p.cell, xs).ys), ys));
      const { value, grads } = valueAndGrad(lossOf)(params);
      const logits = scope(() => head.apply(params.head, scan(cell, params.cell, xs).ys));
      treeDispose(params);
      xs.dispose();
      ys.dispose();
      const flat = Object.values(grads.cell as Record<string, Tensor>).concat(Object.values(grads.head as unknown as Record<string, Tensor>));
      return [value, logits, ...flat];
    });
    expect(differences(results)).toEqual(zeros(results));
  });

  it('after close() it runs on one thread, with the same results', async () => {
    const be = createWasmBackend({ simd, threads: 2 });
    const rng = createRng(9);
    const [a, b] = [rng.normalArray(128 * 256), rng.normalArray(256 * 512)];
    const run = async () => {
      const y = scope(() => matmul(tensor(be, a, [128, 256], 'f32'), tensor(be, b, [256, 512], 'f32')));
      const v = Array.from(await y.read());
      y.dispose();
      return v;
    };
    const before = await run();
    be.close();
    expect(be.threads).toBe(1);
    expect(await run()).toEqual(before);
  });
});

describe('threads: bad options', () => {
  it.each([0, 1.5, -2, Number.NaN])('rejects threads: %s', (threads) => {
    expect(() => createWasmBackend({ threads })).toThrow(/threads must be an integer ≥ 1, got/);
  });
  it('needs a SIMD build', () => {
    expect(() => createWasmBackend({ simd: 'none', threads: 2 })).toThrow(/threads: 2 needs a WebAssembly SIMD build, but simd is 'none'/);
  });
});
