import { exp, mul, scope, tensor, type Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';

// The backend's storage pool: freed arrays of 4 KiB and more are kept (up to poolBytes) and handed
// to the next kernel output of the same dtype and length, which overwrites every element.

const N = 4096; // 16 KiB of f32: pooled
const ramp = (n: number, k: number) => Array.from({ length: n }, (_, i) => (i % 97) * k);

describe('wasm backend storage pool', () => {
  it('keeps a freed array and reuses it for the next output of that size, overwriting every stale value', async () => {
    const be = createWasmBackend({ simd: 'none' });
    const a = tensor(be, ramp(N, 1), [N], 'f32');
    const stale = exp(a);
    const kept = await stale.read();
    stale.dispose();
    expect(be.stats().pooledBytes).toBe(N * 4);
    const b = tensor(be, ramp(N, 0), [N], 'f32'); // upload copies: does not take from the pool
    expect(be.stats().pooledBytes).toBe(N * 4);
    const y = exp(b); // exp(0) = 1 everywhere, written into the recycled array
    expect(be.stats().pooledBytes).toBe(0);
    expect(Array.from(await y.read()).every((v) => v === 1)).toBe(true);
    // What read() returned earlier is a copy: recycling the storage did not touch it.
    expect(Array.from(kept)).toEqual(ramp(N, 1).map((v) => Math.fround(Math.exp(v))));
    for (const t of [a, b, y]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('does not pool arrays under 4 KiB, and pools nothing with poolBytes: 0', () => {
    const small = createWasmBackend({ simd: 'none' });
    const t = tensor(small, ramp(100, 1), [100], 'f32');
    t.dispose();
    expect(small.stats().pooledBytes).toBe(0);
    const off = createWasmBackend({ simd: 'none', poolBytes: 0 });
    const u = tensor(off, ramp(N, 1), [N], 'f32');
    u.dispose();
    expect(off.stats()).toEqual({ liveHandles: 0, bytes: 0, peakBytes: N * 4, pooledBytes: 0 });
  });

  it('never keeps more than poolBytes', () => {
    const be = createWasmBackend({ simd: 'none', poolBytes: 3 * N * 4 });
    const ts = Array.from({ length: 5 }, (_, i) => tensor(be, ramp(N, i), [N], 'f32'));
    for (const t of ts) t.dispose();
    expect(be.stats().pooledBytes).toBe(3 * N * 4);
  });

  it('reaches a fixed point: live and pooled bytes stay flat over repeated steps', () => {
    const be = createWasmBackend();
    const x = tensor(be, ramp(N, 0.001), [64, 64], 'f32');
    const seen: string[] = [];
    let carry: Tensor = x;
    for (let step = 0; step < 20; step++) {
      const next = scope(() => mul(exp(mul(carry, 0.5)), 0.9));
      if (carry !== x) carry.dispose();
      carry = next;
      const s = be.stats();
      seen.push(`${s.liveHandles}/${s.bytes}/${s.pooledBytes}`);
    }
    expect(new Set(seen.slice(2)).size).toBe(1);
    carry.dispose();
    x.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('names a bad poolBytes or pinBytes', () => {
    expect(() => createWasmBackend({ poolBytes: -1 })).toThrow('createWasmBackend: poolBytes must be a number of bytes ≥ 0, got -1.');
    expect(() => createWasmBackend({ pinBytes: Number.NaN })).toThrow('createWasmBackend: pinBytes must be a number of bytes ≥ 0, got NaN.');
  });
});
