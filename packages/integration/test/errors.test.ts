import { describe, expect, it } from 'vitest';
import { add, cast, exp, gather, matmul, reshape, RnnkitError, sum, tensor, zeros } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';

describe('errors name the op, the shapes, dtypes or values, and what to do', () => {
  const be = createCpuBackend();

  it('mismatched shapes name the op and both shapes', () => {
    using a = zeros(be, [2, 3]);
    using b = zeros(be, [4, 3]);
    expect(() => add(a, b)).toThrow(RnnkitError);
    expect(() => add(a, b)).toThrow('add: shapes [2, 3] and [4, 3] cannot be broadcast together');
    expect(() => matmul(a, b)).toThrow('matmul: inner sizes differ: [2, 3] @ [4, 3] (3 vs 4).');
    expect(() => reshape(a, [5])).toThrow('reshape: cannot reshape [2, 3] (6 elements) to [5].');
  });

  it('using a disposed tensor says so', () => {
    const a = zeros(be, [2]);
    a.dispose();
    expect(() => exp(a)).toThrow('exp: this tensor [2] f32 was already disposed');
    expect(() => a.read()).toThrow('already disposed');
  });

  it('reading into an array of the wrong type or size names both', () => {
    using a = zeros(be, [2, 3]);
    const msg = 'needs a Float32Array of 6. Allocate one of that type and size, or read without a target.';
    expect(() => a.readSync(new Float32Array(5))).toThrow(`readSync: the target is a Float32Array of 5 elements; this tensor [2, 3] f32 ${msg}`);
    expect(() => a.read(new Float64Array(6))).toThrow(`read: the target is a Float64Array of 6 elements; this tensor [2, 3] f32 ${msg}`);
    expect(() => a.readSync(new Int32Array(6))).toThrow('readSync: the target is a Int32Array of 6 elements');
  });

  it('mixing tensors from two backends says so', () => {
    const other = createCpuBackend();
    using a = zeros(be, [2]);
    using b = zeros(other, [2]);
    expect(() => add(a, b)).toThrow("add: tensors live on different backends ('cpu' and 'cpu'); move one with toBackend() first.");
  });

  it('an unsupported dtype for a kernel says which', () => {
    using i = tensor(be, [1, 2], [2], 'i32');
    using f = tensor(be, [1, 2], [2], 'f32');
    expect(() => exp(i)).toThrow("exp: needs a floating-point tensor (f32 or f64), got i32 [2]; convert with cast(x, 'f32').");
    expect(() => add(i, f)).toThrow("add: dtypes differ (i32 [2] and f32 [2]); cast one with cast(x, 'i32').");
    expect(() => gather(f, f)).toThrow('gather: indices must be i32, got f32 [2].');
    using b = cast(f, 'bool');
    expect(() => sum(b)).toThrow("sum: bool tensors cannot be reduced");
    const f32Only = createCpuBackend({ dtypes: ['f32'] });
    expect(() => zeros(f32Only, [1], 'f64')).toThrow("backend 'cpu' does not support f64");
  });

  it('bad data and bad indices are named', () => {
    expect(() => tensor(be, [1, 2, 3], [2, 2])).toThrow('tensor: 3 values cannot fill shape [2, 2] (4 elements).');
    expect(() => tensor(be, [[1, 2], [3]])).toThrow('ragged');
    using table = zeros(be, [3, 2]);
    using ids = tensor(be, [0, 5], [2], 'i32');
    expect(() => gather(table, ids)).toThrow('gather: index 5 is out of range [0, 3).');
  });

  it('autograd refuses non-float parameters and non-scalar losses', () => {
    using w = zeros(be, [2]);
    using i = tensor(be, [1], [1], 'i32');
    expect(() => valueAndGrad((p: { w: typeof w }) => exp(p.w))({ w })).toThrow('valueAndGrad: the function must return a one-element loss, got shape [2]; reduce it with sum() or mean().');
    expect(() => valueAndGrad((p: { i: typeof i }) => sum(cast(p.i, 'f32')))({ i })).toThrow("valueAndGrad: parameter 'i' is i32 [1]");
    expect(be.stats().liveHandles).toBe(2);
  });
});
