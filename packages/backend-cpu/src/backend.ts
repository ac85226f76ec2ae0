import { RnnkitError } from '@rnnkit/tensor';
import type { Backend, DType, Kernels, TypedArray, View } from '@rnnkit/tensor';
import { binary } from './binary.js';
import { cast } from './cast.js';
import { concat } from './concat.js';
import { copy } from './copy.js';
import { fill } from './fill.js';
import { createFusedKernels } from './fused/index.js';
import { gather, scatterAdd } from './gather.js';
import type { CpuHandle } from './handle.js';
import { contiguous } from './internal/strided.js';
import { matmul } from './matmul.js';
import { Memory } from './memory.js';
import { reduce } from './reduce.js';
import { unary } from './unary.js';
import { where } from './where.js';

export interface CpuBackendOptions {
  /**
   * Dtypes to offer, e.g. ['f32', 'i32', 'bool'] to stand in for a device without f64.
   * i32 and bool are always included: every backend supports them.
   */
  readonly dtypes?: readonly DType[];
}

const ALL_DTYPES: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

/** Expected array type per dtype, to convert uploads whose array does not match. */
function matches(data: TypedArray, dtype: DType): boolean {
  switch (dtype) {
    case 'f32': return data instanceof Float32Array;
    case 'f64': return data instanceof Float64Array;
    case 'i32': return data instanceof Int32Array;
    default: return data instanceof Uint8Array;
  }
}

/**
 * The reference backend: plain TypedArrays on the host, every kernel a readable loop.
 * Each kernel computes a fresh array and the backend registers it, so stats() sees every result.
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend<CpuHandle> {
  const wanted = options.dtypes ?? ALL_DTYPES;
  const dtypes = ALL_DTYPES.filter((d) => wanted.includes(d) || d === 'i32' || d === 'bool');
  const memory = new Memory();
  const track = (data: TypedArray): CpuHandle => memory.track(data);

  const requireDtype = (op: string, dtype: DType): void => {
    if (!dtypes.includes(dtype)) {
      throw new RnnkitError(`${op}: dtype ${dtype} is not enabled on this CPU backend (it offers ${dtypes.join(', ')}); cast to one of those.`);
    }
  };
  /** Inputs must still be alive: reading a freed handle would give stale numbers silently. */
  const alive = (op: string, ...views: readonly View<CpuHandle>[]): void => {
    for (const v of views) memory.check(v.handle, op);
  };

  const kernels: Kernels<CpuHandle> = {
    unary: (op, x) => (alive(op, x), track(unary(op, x))),
    binary: (op, a, b) => (alive(op, a, b), track(binary(op, a, b))),
    where: (cond, a, b) => (alive('where', cond, a, b), track(where(cond, a, b))),
    reduce: (op, x, axes) => (alive(op, x), track(reduce(op, x, axes))),
    matmul: (a, b) => (alive('matmul', a, b), track(matmul(a, b))),
    copy: (x) => (alive('copy', x), track(copy(x))),
    concat: (xs, axis) => (alive('concat', ...xs), track(concat(xs, axis))),
    cast: (x, dtype) => (alive('cast', x), requireDtype('cast', dtype), track(cast(x, dtype))),
    fill: (shape, dtype, value) => (requireDtype('fill', dtype), track(fill(shape, dtype, value))),
    gather: (table, indices, axis) => (alive('gather', table, indices), track(gather(table, indices, axis))),
    scatterAdd: (shape, indices, updates, axis) => (alive('scatterAdd', indices, updates), track(scatterAdd(shape, indices, updates, axis))),
  };

  const readSync = (x: View<CpuHandle>, out?: TypedArray): TypedArray => {
    alive('read', x);
    return contiguous(x, out);
  };

  return {
    name: 'cpu',
    capabilities: { dtypes, ieeeSpecialValues: true, syncRead: true },
    kernels,
    fused: createFusedKernels(track),
    upload(data, dtype) {
      requireDtype('upload', dtype);
      // Always a copy: the caller keeps ownership of `data` and may change it afterwards.
      if (matches(data, dtype)) return track(data.slice());
      const out = cast({ handle: { data }, dtype, shape: [data.length], strides: [1], offset: 0 }, dtype);
      return track(out);
    },
    // The executor runs synchronously, so the snapshot is taken now (the caller may free or
    // overwrite right after asking), and a throw inside it becomes a rejection.
    read: (x, out) => new Promise<TypedArray>((resolve) => resolve(readSync(x, out))),
    readSync,
    free: (handle) => memory.free(handle),
    stats: () => memory.stats(),
    resetPeak: () => memory.resetPeak(),
  };
}
