import { describe, expect, it } from 'vitest';
import { createRng, mul, RnnkitError, sum, tensor, treeDispose, zeros } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { assertGradcheck } from '@rnnkit/testing';
import { embedding, type EmbeddingParams } from '@rnnkit/nn';

const be = createCpuBackend();

describe('embedding', () => {
  it('init makes weight [V, E] from N(0, 1), deterministic for a seed', () => {
    const layer = embedding({ numEmbeddings: 1000, embeddingDim: 64, dtype: 'f64' });
    const a = layer.init(createRng(3), be);
    const b = layer.init(createRng(3), be);
    const c = layer.init(createRng(4), be);
    expect(Object.keys(a)).toEqual(['weight']);
    expect(a.weight.shape).toEqual([1000, 64]);
    const w = a.weight.readSync();
    expect(w).toEqual(b.weight.readSync());
    expect(w).not.toEqual(c.weight.readSync());
    let s = 0;
    let s2 = 0;
    for (const v of w) {
      s += v;
      s2 += v * v;
    }
    const n = w.length;
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(std - 1)).toBeLessThan(0.02);
    treeDispose([a, b, c]);
  });

  it('initialises the padding row to zero (negative paddingIdx counts from the end)', () => {
    for (const [paddingIdx, row] of [[2, 2], [-1, 4]] as const) {
      const layer = embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx });
      expect(layer.paddingIdx).toBe(row);
      const p = layer.init(createRng(0), be);
      const w = p.weight.readSync();
      for (let r = 0; r < 5; r++) {
        const values = [...w.subarray(r * 3, r * 3 + 3)];
        if (r === row) expect(values).toEqual([0, 0, 0]);
        else expect(values.every((v) => v !== 0)).toBe(true);
      }
      treeDispose(p);
    }
  });

  it('apply maps ids [...] to [..., E]', () => {
    const layer = embedding({ numEmbeddings: 4, embeddingDim: 2 });
    using weight = tensor(be, [[0, 1], [10, 11], [20, 21], [30, 31]], [4, 2]);
    for (const shape of [[], [3], [2, 3], [2, 1, 3]]) {
      using ids = zeros(be, shape, 'i32');
      using y = layer.apply({ weight }, ids);
      expect(y.shape).toEqual([...shape, 2]);
    }
    using ids = tensor(be, [[3, 0], [1, 1]], [2, 2], 'i32');
    using y = layer.apply({ weight }, ids);
    expect([...y.readSync()]).toEqual([30, 31, 0, 1, 10, 11, 10, 11]);
  });

  it('repeated ids accumulate gradient; the padding row gets none but keeps its value', () => {
    const layer = embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 0, dtype: 'f64' });
    using weight = tensor(be, [[5, 5], [1, 2], [3, 4], [6, 7]], [4, 2], 'f64'); // padding row not zero: its value is used
    using ids = tensor(be, [[0, 2, 2], [1, 0, 2]], [2, 3], 'i32');
    using y = layer.apply({ weight }, ids);
    expect([...y.readSync()]).toEqual([5, 5, 3, 4, 3, 4, 1, 2, 5, 5, 3, 4]);
    using cot = tensor(be, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2], 'f64');
    const { value, grads } = valueAndGrad((p: EmbeddingParams) => sum(mul(layer.apply(p, ids), cot)))({ weight });
    // Row 2 appears three times: (3,4) + (5,6) + (11,12); row 1 once: (7,8); row 0 is padding; row 3 unused.
    expect([...grads.weight.readSync()]).toEqual([0, 0, 7, 8, 19, 22, 0, 0]);
    value.dispose();
    treeDispose(grads);
  });

  it('gradients match central differences (f64)', async () => {
    const layer = embedding({ numEmbeddings: 5, embeddingDim: 3, dtype: 'f64' });
    const p = layer.init(createRng(2), be);
    using ids = tensor(be, [[4, 1, 1], [0, 3, 4]], [2, 3], 'i32');
    await assertGradcheck((w) => layer.apply({ weight: w }, ids), [p.weight]);
    const padded = embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: 1, dtype: 'f64' });
    // The padding row's gradient is zero by definition, not the derivative of the forward value,
    // so the numeric check runs with the padding id absent and the masking is checked above and against torch.
    using other = tensor(be, [[4, 2, 2], [0, 3, 4]], [2, 3], 'i32');
    await assertGradcheck((w) => padded.apply({ weight: w }, other), [p.weight]);
    treeDispose(p);
  });

  it('leaves no handles behind, with and without padding', () => {
    const before = be.stats().liveHandles;
    for (const paddingIdx of [undefined, 0]) {
      const layer = embedding({ numEmbeddings: 6, embeddingDim: 4, ...(paddingIdx === undefined ? {} : { paddingIdx }) });
      const p = layer.init(createRng(0), be);
      const ids = tensor(be, [0, 1, 5, 0], [2, 2], 'i32');
      const y = layer.apply(p, ids);
      expect(be.stats().liveHandles).toBe(before + 3);
      const { value, grads } = valueAndGrad((q: EmbeddingParams) => sum(layer.apply(q, ids)))(p);
      value.dispose();
      treeDispose([grads, p, ids, y]);
      expect(be.stats().liveHandles).toBe(before);
    }
  });

  it('names the problem with ids and options', () => {
    const layer = embedding({ numEmbeddings: 4, embeddingDim: 2 });
    const p = layer.init(createRng(0), be);
    using f = zeros(be, [2, 3]);
    expect(() => layer.apply(p, f)).toThrow(RnnkitError);
    expect(() => layer.apply(p, f)).toThrow("embedding: ids must be i32 row indices, got f32 [2, 3]; convert them with cast(ids, 'i32').");
    using bad = tensor(be, [[0, 1], [4, 2]], [2, 2], 'i32');
    expect(() => layer.apply(p, bad)).toThrow('embedding: ids holds 4 at [1, 0], outside [0, 4) (numEmbeddings 4).');
    using neg = tensor(be, [-1], [1], 'i32');
    expect(() => layer.apply(p, neg)).toThrow('embedding: ids holds -1 at [0], outside [0, 4) (numEmbeddings 4).');
    using w = zeros(be, [5, 2]);
    using ok = zeros(be, [1], 'i32');
    expect(() => layer.apply({ weight: w }, ok)).toThrow('embedding: weight has shape [5, 2] but [4, 2] is expected; this layer was built with numEmbeddings 4 and embeddingDim 2');
    expect(() => embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: 4 })).toThrow('embedding: paddingIdx must be an integer in [-4, 4) for numEmbeddings 4, got 4.');
    expect(() => embedding({ numEmbeddings: -1, embeddingDim: 2 })).toThrow('embedding: numEmbeddings must be a positive integer, got -1.');
    treeDispose(p);
  });
});
