import { describe, expect, it } from 'vitest';
import { GemmThreads, nodeWorker, threadedOps } from '../src/internal/threads.js';
import { instantiateShared } from '../src/internal/wasm.js';

// The GEMM thread pool on its own: a product split over a worker and the caller equals the
// one-thread product bit for bit, a trap in the kernels is an error in the caller (the pool stays
// usable), and close() leaves the caller computing alone.

describe('GemmThreads', () => {
  const Worker = nodeWorker()!;
  const { ops, module, memory } = instantiateShared('simd');
  memory.grow(63);
  const [M, K, N] = [64, 128, 200];
  const [a, b, bp, c1, c2] = [1 << 16, 1 << 17, 1 << 18, 1 << 20, 1 << 21];
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < M * K; i++) f[a / 4 + i] = Math.sin(i);
  for (let i = 0; i < K * N; i++) f[b / 4 + i] = Math.cos(i);
  ops.packB(b, N, 1, K, N, bp);
  const product = (out: number, o = ops) => {
    o.gemm(M, N, K, a, K, 1, bp, out, N, 0);
    return Array.from(new Float32Array(memory.buffer, out, M * N));
  };

  it('splits a product over two threads bit for bit, reports a trap, and closes', () => {
    expect(Worker).toBeDefined();
    const pool = new GemmThreads(module, memory, 1, Worker);
    const threaded = threadedOps(ops, pool);
    expect(pool.threads).toBe(2);
    const one = product(c1);
    expect(product(c2, threaded)).toEqual(one);
    // Past the end of memory (an address near 4 GiB): both threads trap; the caller gets the error.
    expect(() => threaded.gemm(M, N, K, 0x7fff0000, K, 1, bp, c2, N, 0)).toThrow(/out of bounds/);
    expect(product(c2, threaded)).toEqual(one);
    pool.close();
    expect(pool.threads).toBe(1);
    expect(product(c2, threaded)).toEqual(one);
  });
});
