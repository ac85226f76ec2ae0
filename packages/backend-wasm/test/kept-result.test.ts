import { exp, matmul, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';
import { JsEngine } from '../src/internal/engine.js';
import { createJsOps } from '../src/internal/js-ops.js';

// A large result stays in engine memory after it is copied out (Engine.withResult / takeResult),
// and the next call that reads the same array uses it in place.

describe('kept results', () => {
  it('the engine keeps one large result, finds it by array, and gives it up when forgotten', () => {
    const e = new JsEngine(4, createJsOps);
    const n = 100_000; // 400 kB: large enough to keep
    const first = e.withResult(n, (block) => {
      expect(e.pinnedBytes()).toBeGreaterThan(0); // a large result is pinned
      e.f().fill(3, e.at(block), e.at(block) + n);
      return e.takeResult(block, n);
    });
    expect(e.keptPtr(first, 10)).toBeDefined();
    expect(e.f()[e.at(e.keptPtr(first, 10)!)]).toBe(3);
    expect(e.keptPtr(new Float32Array(n), 0)).toBeUndefined();
    // A newer large result replaces it; small results are neither pinned nor kept.
    const second = e.withResult(n, (block) => e.takeResult(block, n));
    expect(e.keptPtr(first, 0)).toBeUndefined();
    expect(e.keptPtr(second, 0)).toBeDefined();
    const pinnedBefore = e.pinnedBytes();
    const small = e.withResult(10, (block) => {
      expect(e.pinnedBytes()).toBe(pinnedBefore); // computed in scratch, nothing pinned
      return e.takeResult(block, 10);
    });
    expect(e.keptPtr(small, 0)).toBeUndefined();
    e.forget(second);
    expect(e.keptPtr(second, 0)).toBeUndefined();
    expect(e.pinnedBytes()).toBe(0);
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
