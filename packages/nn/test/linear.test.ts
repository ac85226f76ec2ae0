import { describe, expect, it } from 'vitest';
import { createRng, RnnkitError, tensor, transpose, treeDispose, zeros, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { assertGradcheck, expectClose } from '@rnnkit/testing';
import { linear } from '@rnnkit/nn';

const be = createCpuBackend();

describe('linear', () => {
  it('init makes PyTorch-named parameters: weight [O, I], bias [O]', () => {
    const layer = linear({ inputSize: 3, outputSize: 5 });
    const p = layer.init(createRng(0), be);
    expect(Object.keys(p)).toEqual(['weight', 'bias']);
    expect(p.weight.shape).toEqual([5, 3]);
    expect(p.bias.shape).toEqual([5]);
    expect(p.weight.dtype).toBe('f32');
    expect([layer.inputSize, layer.outputSize, layer.bias, layer.dtype]).toEqual([3, 5, true, 'f32']);
    treeDispose(p);
    const noBias = linear({ inputSize: 3, outputSize: 5, bias: false, dtype: 'f64' }).init(createRng(0), be);
    expect(Object.keys(noBias)).toEqual(['weight']);
    expect(noBias.weight.dtype).toBe('f64');
    treeDispose(noBias);
  });

  it('init draws U(−1/√I, 1/√I), deterministic for a seed', () => {
    const layer = linear({ inputSize: 64, outputSize: 512, dtype: 'f64' });
    const a = layer.init(createRng(7), be);
    const b = layer.init(createRng(7), be);
    const c = layer.init(createRng(8), be);
    const w = a.weight.readSync();
    expect(w).toEqual(b.weight.readSync());
    expect(a.bias.readSync()).toEqual(b.bias.readSync());
    expect(w).not.toEqual(c.weight.readSync());
    const bound = 1 / 8;
    const n = w.length;
    let s = 0;
    let s2 = 0;
    let largest = 0;
    for (const v of w) {
      largest = Math.max(largest, Math.abs(v));
      s += v;
      s2 += v * v;
    }
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.99 * bound);
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // U(−b, b): mean 0, variance b²/3; 32768 draws put the sample within a few standard errors.
    expect(Math.abs(mean)).toBeLessThan((4 * bound) / Math.sqrt(3 * n));
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.97);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.03);
    for (const v of a.bias.readSync()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    treeDispose([a, b, c]);
  });

  it('apply maps [..., I] to [..., O] for any number of leading axes', () => {
    const layer = linear({ inputSize: 2, outputSize: 3, dtype: 'f64' });
    using weight = tensor(be, [[1, 2], [3, 4], [5, 6]], [3, 2], 'f64');
    using bias = tensor(be, [0.5, -0.5, 1], [3], 'f64');
    for (const shape of [[2], [4, 2], [2, 3, 2], [2, 1, 2, 2], [0, 2]]) {
      using x = zeros(be, shape, 'f64');
      using y = layer.apply({ weight, bias }, x);
      expect(y.shape).toEqual([...shape.slice(0, -1), 3]);
    }
    using x = tensor(be, [[[1, 1], [1, -1]]], [1, 2, 2], 'f64');
    using y = layer.apply({ weight, bias }, x);
    expect([...y.readSync()]).toEqual([3.5, 6.5, 12, -0.5, -1.5, 0]);
  });

  it('apply works on a non-contiguous input (a transposed view)', () => {
    const layer = linear({ inputSize: 2, outputSize: 1, bias: false, dtype: 'f64' });
    using weight = tensor(be, [[1, 10]], [1, 2], 'f64');
    using base = tensor(be, [[1, 2, 3], [4, 5, 6]], [2, 3], 'f64'); // columns are the rows of x
    using x = transpose(base); //                                       [3, 2]: (1,4), (2,5), (3,6)
    using y = layer.apply({ weight }, x);
    expect([...y.readSync()]).toEqual([41, 52, 63]);
  });

  it('gradients match central differences (f64, with and without bias, 3-D input)', async () => {
    const rng = createRng(1);
    const layer = linear({ inputSize: 4, outputSize: 3, dtype: 'f64' });
    const p = layer.init(rng, be);
    using x = tensor(be, rng.normalArray(2 * 3 * 4), [2, 3, 4], 'f64');
    await assertGradcheck((xi, w, b) => layer.apply({ weight: w, bias: b }, xi), [x, p.weight, p.bias]);
    const plain = linear({ inputSize: 4, outputSize: 3, bias: false, dtype: 'f64' });
    await assertGradcheck((xi, w) => plain.apply({ weight: w }, xi), [x, p.weight]);
    treeDispose(p);
  });

  it('leaves no handles behind', () => {
    const before = be.stats().liveHandles;
    const layer = linear({ inputSize: 4, outputSize: 3 });
    const p = layer.init(createRng(0), be);
    const x = zeros(be, [2, 5, 4]);
    const y = layer.apply(p, x);
    expect(be.stats().liveHandles).toBe(before + 4); // weight, bias, x, y
    for (const t of [y, x] as Tensor[]) t.dispose();
    treeDispose(p);
    expect(be.stats().liveHandles).toBe(before);
  });

  it('names both sizes when the input has the wrong number of features', () => {
    const layer = linear({ inputSize: 4, outputSize: 3 });
    const p = layer.init(createRng(0), be);
    using x = zeros(be, [2, 5]);
    expect(() => layer.apply(p, x)).toThrow(RnnkitError);
    expect(() => layer.apply(p, x)).toThrow(
      'linear: x has shape [2, 5], but the layer takes 4 input features on its last axis (weight: [3, 4]); pass x: [..., 4].',
    );
    using s = zeros(be, []);
    expect(() => layer.apply(p, s)).toThrow('linear: x has shape [], but the layer takes 4 input features');
    using xd = zeros(be, [2, 4], 'f64');
    expect(() => layer.apply(p, xd)).toThrow("linear: x is f64 [2, 4] but the weights are f32; build the layer with { dtype: 'f64' } or cast(x, 'f32').");
    using xi = zeros(be, [2, 4], 'i32');
    expect(() => layer.apply(p, xi)).toThrow("linear: x must be f32 or f64, got i32 [2, 4]; convert it with cast(x, 'f32').");
    treeDispose(p);
  });

  it('names the mismatch when the parameters do not fit the layer', () => {
    const layer = linear({ inputSize: 4, outputSize: 3 });
    using weight = zeros(be, [4, 3]);
    using bias = zeros(be, [3]);
    using x = zeros(be, [2, 4]);
    expect(() => layer.apply({ weight, bias }, x)).toThrow(
      'linear: weight has shape [4, 3] but [3, 4] is expected; this layer was built with inputSize 4 and outputSize 3; make the parameters with its init().',
    );
    using w = zeros(be, [3, 4]);
    expect(() => layer.apply({ weight: w } as never, x)).toThrow('linear: params has no bias, but this layer was built with inputSize 4');
  });

  it('rejects bad options', () => {
    expect(() => linear({ inputSize: 0, outputSize: 3 })).toThrow('linear: inputSize must be a positive integer, got 0.');
    expect(() => linear({ inputSize: 2, outputSize: 1.5 })).toThrow('linear: outputSize must be a positive integer, got 1.5.');
    expect(() => linear({ inputSize: 2, outputSize: 1, dtype: 'i32' as never })).toThrow("linear: dtype must be 'f32' or 'f64', got i32.");
  });

  it('agrees with a hand-computed f32 product', () => {
    const layer = linear({ inputSize: 3, outputSize: 2 });
    using weight = tensor(be, [[0.5, -1, 2], [1, 1, 1]], [2, 3]);
    using bias = tensor(be, [0.25, -0.25], [2]);
    using x = tensor(be, [[1, 2, 3], [-1, 0, 1]], [2, 3]);
    using y = layer.apply({ weight, bias }, x);
    expectClose(y.readSync(), [4.75, 5.75, 1.75, -0.25], 'f32');
  });
});
