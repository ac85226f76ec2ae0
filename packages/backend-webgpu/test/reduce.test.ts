// Long reductions take the cooperative (tree) kernel: one workgroup per output element, a strided
// share per thread, a shared-memory tree ('auto'; forced for every reduction with reduce: 'tree'). Checked against the CPU backend for every op and dtype
// on contiguous, strided and offset views, NaN propagation in max/min, lengths around the
// threshold and the workgroup size, and many outputs at once.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { contiguousStrides, createRng, type Backend, type DType, type ReduceOp, type TypedArray, type View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { TREE_REDUCE_MIN } from '../src/kernels/reduce.js';
import { gpuBackend } from './gpu.js';

function host(dtype: DType, n: number, seed: string): TypedArray {
  const rng = createRng(21).fork(seed);
  if (dtype === 'f32') return Float32Array.from({ length: n }, () => rng.nextFloat() * 2 - 1);
  if (dtype === 'i32') return Int32Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 2001) - 1000);
  return Uint8Array.from({ length: n }, () => (rng.nextFloat() < 0.002 ? 1 : 0));
}

async function reduceOn(be: Backend, op: ReduceOp, dtype: DType, data: TypedArray, v: Omit<View, 'handle' | 'dtype'>, axes: number[]): Promise<number[]> {
  const handle = be.upload(data, dtype);
  const outHandle = be.kernels.reduce(op, { ...v, handle, dtype }, axes);
  const outShape = v.shape.filter((_, i) => !axes.includes(i));
  const outDtype: DType = op === 'argmax' ? 'i32' : dtype;
  const out = Array.from(await be.read({ handle: outHandle, dtype: outDtype, shape: outShape, strides: contiguousStrides(outShape), offset: 0 }), Number);
  be.free(handle);
  be.free(outHandle);
  return out;
}

describe.for(['auto', 'tree'] as const)('cooperative (tree) reductions on WebGPU (reduce: %s)', (variant) => {
  let gpu: WebGpuBackend | null = null;
  const cpu = createCpuBackend();
  beforeAll(async () => {
    gpu = await gpuBackend({ reduce: variant });
  });
  afterAll(() => gpu?.destroy());
  const need = (ctx: TestContext): WebGpuBackend => gpu ?? ctx.skip('no WebGPU adapter here');

  const LAYOUTS: { name: string; size: number; v: Omit<View, 'handle' | 'dtype'>; axes: number[] }[] = [
    { name: 'all of 100 003 elements', size: 100_003, v: { shape: [100_003], strides: [1], offset: 0 }, axes: [0] },
    { name: `exactly ${TREE_REDUCE_MIN}`, size: TREE_REDUCE_MIN, v: { shape: [TREE_REDUCE_MIN], strides: [1], offset: 0 }, axes: [0] },
    { name: `${TREE_REDUCE_MIN - 1} (per-thread kernel)`, size: TREE_REDUCE_MIN - 1, v: { shape: [TREE_REDUCE_MIN - 1], strides: [1], offset: 0 }, axes: [0] },
    { name: 'rows of [37, 1000] (axis 1)', size: 37_000, v: { shape: [37, 1000], strides: [1000, 1], offset: 0 }, axes: [1] },
    { name: 'short rows of [300, 7] (axis 1)', size: 2100, v: { shape: [300, 7], strides: [7, 1], offset: 0 }, axes: [1] },
    { name: 'columns of [3000, 5] (axis 0, strided)', size: 15_000, v: { shape: [3000, 5], strides: [5, 1], offset: 0 }, axes: [0] },
    { name: 'a transposed, offset view [40, 30, 20] over axes 0 and 2', size: 24_017, v: { shape: [40, 30, 20], strides: [1, 800, 40], offset: 17 }, axes: [0, 2] },
  ];
  for (const dtype of ['f32', 'i32', 'bool'] as const) {
    for (const op of ['sum', 'max', 'min'] as const) {
      it.for(LAYOUTS)(`${op} ${dtype}: $name`, async ({ size, v, axes }, ctx) => {
        const be: Backend = need(ctx);
        const data = host(dtype, size, `${op}${dtype}${size}`);
        const got = await reduceOn(be, op, dtype, data, v, axes);
        const want = await reduceOn(cpu, op, dtype, data, v, axes);
        // f32 sums: the tree adds in another order than the CPU's running sum.
        if (dtype === 'f32' && op === 'sum') expectClose(got, want, { rtol: 1e-5, atol: 1e-6 * Math.sqrt(size) }, `${op} ${dtype}`);
        else expect(got).toEqual(want);
      });
    }
  }

  it('max and min propagate a NaN anywhere in a long row', async (ctx) => {
    const be: Backend = need(ctx);
    const data = host('f32', 4 * 2000, 'nan') as Float32Array;
    data[2000 + 1234] = Number.NaN;
    data[3 * 2000 + 1999] = Number.NaN;
    for (const op of ['max', 'min'] as const) {
      const got = await reduceOn(be, op, 'f32', data, { shape: [4, 2000], strides: [2000, 1], offset: 0 }, [1]);
      expect(Number.isNaN(got[1]!) && Number.isNaN(got[3]!), `${op} NaN rows: ${got.join(", ")}`).toBe(true);
      expect(Number.isNaN(got[0]!) || Number.isNaN(got[2]!), `${op} clean rows: ${got.join(", ")}`).toBe(false);
    }
  });
});
