// The minimal example behind docs/writing-a-backend.md: a third-party backend, proved by the
// conformance suite in one file. It is an instrumentation plug-in: every call goes to an inner
// backend, and the plug-in counts calls per kernel.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { add, matmul, tensor, type Backend, type FusedKernels, type Handle, type Kernels } from '@rnnkit/tensor';
import { describeBackendConformance } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';

/** The primitive kernels and the fused kernels, by method name. */
export type KernelName = keyof Kernels | keyof FusedKernels;

export interface CountingBackend<H = Handle> extends Backend<H> {
  /** Calls per kernel since creation or the last `resetCounts()`; kernels never called are absent. */
  counts(): Partial<Record<KernelName, number>>;
  resetCounts(): void;
}

/** A backend that runs everything on `inner` and counts the kernel calls. */
export function createCountingBackend<H>(inner: Backend<H>): CountingBackend<H> {
  let calls = new Map<KernelName, number>();
  const tick = (name: KernelName): void => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
  };
  const k = inner.kernels;

  // Typed as Kernels<H>: leaving out a kernel is a compile error.
  const kernels: Kernels<H> = {
    unary: (op, x) => (tick('unary'), k.unary(op, x)),
    binary: (op, a, b) => (tick('binary'), k.binary(op, a, b)),
    where: (cond, a, b) => (tick('where'), k.where(cond, a, b)),
    reduce: (op, x, axes) => (tick('reduce'), k.reduce(op, x, axes)),
    matmul: (a, b) => (tick('matmul'), k.matmul(a, b)),
    copy: (x) => (tick('copy'), k.copy(x)),
    concat: (xs, axis) => (tick('concat'), k.concat(xs, axis)),
    cast: (x, dtype) => (tick('cast'), k.cast(x, dtype)),
    fill: (shape, dtype, value) => (tick('fill'), k.fill(shape, dtype, value)),
    gather: (table, indices, axis) => (tick('gather'), k.gather(table, indices, axis)),
    scatterAdd: (shape, indices, updates, axis) => (tick('scatterAdd'), k.scatterAdd(shape, indices, updates, axis)),
  };

  // Fused kernels are optional: offer exactly the ones the inner backend has, so callers that
  // find one missing take the composite path just as they would on the inner backend.
  const counted = <A extends unknown[], R>(name: KernelName, fn: (...args: A) => R) =>
    (...args: A): R => (tick(name), fn(...args));
  const f = inner.fused;
  const fused: FusedKernels<H> | undefined = f && {
    ...(f.rnnSequence && { rnnSequence: counted('rnnSequence', f.rnnSequence.bind(f)) }),
    ...(f.rnnSequenceBackward && { rnnSequenceBackward: counted('rnnSequenceBackward', f.rnnSequenceBackward.bind(f)) }),
    ...(f.lstmSequence && { lstmSequence: counted('lstmSequence', f.lstmSequence.bind(f)) }),
    ...(f.lstmSequenceBackward && { lstmSequenceBackward: counted('lstmSequenceBackward', f.lstmSequenceBackward.bind(f)) }),
    ...(f.gruSequence && { gruSequence: counted('gruSequence', f.gruSequence.bind(f)) }),
    ...(f.gruSequenceBackward && { gruSequenceBackward: counted('gruSequenceBackward', f.gruSequenceBackward.bind(f)) }),
    ...(f.adamStep && { adamStep: counted('adamStep', f.adamStep.bind(f)) }),
    ...(f.crossEntropy && { crossEntropy: counted('crossEntropy', f.crossEntropy.bind(f)) }),
    ...(f.crossEntropyBackward && { crossEntropyBackward: counted('crossEntropyBackward', f.crossEntropyBackward.bind(f)) }),
    ...(f.matmulBias && { matmulBias: counted('matmulBias', f.matmulBias.bind(f)) }),
  };

  return {
    name: `counting(${inner.name})`,
    capabilities: inner.capabilities,
    kernels,
    ...(fused && { fused }),
    upload: (data, dtype) => inner.upload(data, dtype),
    read: (x, out) => inner.read(x, out),
    // Offered only when the inner backend has it, as `capabilities.syncRead` promises.
    ...(inner.readSync && { readSync: inner.readSync.bind(inner) }),
    free: (handle) => inner.free(handle),
    stats: () => inner.stats(),
    resetPeak: () => inner.resetPeak(),
    counts: () => Object.fromEntries(calls),
    resetCounts: () => {
      calls = new Map();
    },
  };
}

describeBackendConformance({
  name: 'counting(cpu)',
  create: () => createCountingBackend(createCpuBackend()),
  reference: () => createCpuBackend(),
});

describeBackendConformance({
  name: 'counting(cpu, f32 only)',
  create: () => createCountingBackend(createCpuBackend({ dtypes: ['f32'] })),
  reference: () => createCpuBackend(),
});

describe('createCountingBackend', () => {
  it('counts one kernel call per primitive: matmul, then add with a number', async () => {
    const backend = createCountingBackend(createCpuBackend());
    const x = tensor(backend, [[1, 2], [3, 4]]); // x: [B, I]; upload is not a kernel
    const w = tensor(backend, [[1], [-1]]); //      w: [I, 1]
    const y = matmul(x, w); //                       one matmul
    const z = add(y, 10); //                         one fill (the number as a 0-d tensor), one binary

    expect(backend.counts()).toEqual({ matmul: 1, fill: 1, binary: 1 });
    expect(Array.from(await z.read())).toEqual([9, 9]);

    for (const t of [x, w, y, z]) t.dispose();
    expect(backend.stats().liveHandles).toBe(0);
    backend.resetCounts();
    expect(backend.counts()).toEqual({});
  });

  it('offers the same fused kernels and sync reads as the inner backend', () => {
    const inner = createCpuBackend();
    const backend = createCountingBackend(inner);
    expect(Object.keys(backend.fused ?? {}).sort()).toEqual(Object.keys(inner.fused ?? {}).sort());
    expect(typeof backend.readSync).toBe(typeof inner.readSync);
    expect(backend.capabilities).toBe(inner.capabilities);
  });
});
