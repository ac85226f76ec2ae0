import { exp, matmul, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';
import { JsEngine } from '../src/internal/engine.js';
import { Resident } from '../src/internal/resident.js';
import { createJsOps } from '../src/internal/js-ops.js';

// A large result stays in engine memory (Engine.withResult / takeResult: a Resident), the calls
// that read it find it there, and it is copied to the host only when something reads it there.

describe('resident results', () => {
  const fill = (e: JsEngine, n: number, v: number) => (block: number) => {
    e.f().fill(v, e.at(block), e.at(block) + n);
    return e.takeResult(block, n);
  };

  it('a large result stays in engine memory until read on the host, found by its handle', () => {
    const e = new JsEngine(4, createJsOps);
    const n = 100_000; // 400 kB: large enough to stay
    const first = e.withResult(n, fill(e, n, 3));
    expect(first).toBeInstanceOf(Resident);
    const r = first as Resident;
    expect(r.onHost).toBe(false);
    expect(e.f()[e.at(e.residentPtr(r, 10)!)]).toBe(3);
    expect(e.residentPtr({ data: new Float32Array(n) }, 0)).toBeUndefined();
    // A second one joins it; a small result is copied out at once and pins nothing.
    const second = e.withResult(n, fill(e, n, 5)) as Resident;
    expect(e.residentPtr(r, 0)).toBeDefined();
    expect(e.residentPtr(second, 0)).toBeDefined();
    const pinnedBefore = e.pinnedBytes();
    const small = e.withResult(10, fill(e, 10, 1));
    expect(small).toBeInstanceOf(Float32Array);
    expect(e.pinnedBytes()).toBe(pinnedBefore);
    // Reading data copies it out once; the block stays for in-place readers.
    expect(r.data[n - 1]).toBe(3);
    expect(r.onHost).toBe(true);
    expect(e.residentPtr(r, 0)).toBeDefined();
    e.forget(r);
    e.forget(second);
    expect(e.residentPtr(second, 0)).toBeUndefined();
    expect(e.pinnedBytes()).toBe(0);
  });

  it('past the resident limit the oldest are copied out and their blocks freed, values intact', () => {
    const e = new JsEngine(4, createJsOps);
    const n = 100_000;
    e.residentLimitBytes = 2.5 * n * 4;
    const rs = [1, 2, 3, 4].map((v) => e.withResult(n, fill(e, n, v)) as Resident);
    expect(rs.map((r) => e.residentPtr(r, 0) !== undefined)).toEqual([false, false, true, true]);
    expect(rs.map((r) => r.onHost)).toEqual([true, true, false, false]);
    expect(rs.map((r) => r.data[n >> 1])).toEqual([1, 2, 3, 4]);
    for (const r of rs) e.forget(r);
    expect(e.pinnedBytes()).toBe(0);
  });

  it('a resident result that is never read on the host costs no host array, and freeing it pools nothing', async () => {
    const be = createWasmBackend();
    const N = 512;
    const a = tensor(be, Float32Array.from({ length: N * N }, (_, i) => (i % 7) / 7), [N, N], 'f32');
    const id = tensor(be, Float32Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0)), [N, N], 'f32');
    const pooled = be.stats().pooledBytes;
    const y = matmul(a, id);
    const z = matmul(y, id); // reads y in place
    const handle = y.view('test').handle as unknown as Resident;
    expect(handle).toBeInstanceOf(Resident);
    expect(handle.onHost).toBe(false);
    expect(Array.from(await z.read())).toEqual(Array.from(await a.read()));
    y.dispose();
    expect(be.stats().pooledBytes).toBe(pooled);
    for (const t of [a, id, z]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('a freed result whose array the pool hands to another op is never read stale', async () => {
    const be = createWasmBackend();
    const N = 512;
    const a = tensor(be, Float32Array.from({ length: N * N }, (_, i) => (i % 7) / 7), [N, N], 'f32');
    const id = tensor(be, Float32Array.from({ length: N * N }, (_, i) => (i % (N + 1) === 0 ? 1 : 0)), [N, N], 'f32');
    const y = matmul(a, id); // 1 MiB: kept in engine memory
    const yData = await y.read();
    y.dispose(); // its array goes to the pool
    const w = exp(a); // same size: likely the recycled array, with new contents
    const z = matmul(w, id); // must read w, not the kept copy of y
    const [zs, ws] = [await z.read(), await w.read()];
    const mismatches = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).filter((v, i) => v !== q[i]).length;
    expect(mismatches(ws, yData)).toBeGreaterThan(0); // the two really differ
    expect(mismatches(zs, ws)).toBe(0);
    for (const t of [a, id, w, z]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });
});
