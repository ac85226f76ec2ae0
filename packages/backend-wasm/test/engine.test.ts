import { describe, expect, it } from 'vitest';
import { JsEngine } from '../src/internal/engine.js';
import { createJsOps } from '../src/internal/js-ops.js';

// Pinned blocks (a forward's saved activations) under the per-call scratch region.
describe('Engine pinned blocks', () => {
  it('keeps pinned data across calls, reuses freed blocks, and shrinks back to empty', () => {
    const e = new JsEngine(4, createJsOps);
    const a = e.pin(100);
    const b = e.pin(50);
    e.f().fill(7, e.at(a), e.at(a) + 100);
    // A call's scratch starts above the pinned blocks and never overwrites them.
    const m = e.mark();
    const s = e.alloc(1000);
    expect(s).toBeGreaterThanOrEqual(b + 50 * 4);
    e.f().fill(1, e.at(s), e.at(s) + 1000);
    e.release(m);
    expect(Array.from(e.f().subarray(e.at(a), e.at(a) + 100)).every((v) => v === 7)).toBe(true);
    // Freed out of order: the first block is reused by a request that fits; the region shrinks only from its end.
    e.unpin(a);
    expect(e.pinnedBytes()).toBeGreaterThan(0);
    expect(e.pin(80)).toBe(a);
    e.unpin(b);
    e.unpin(a);
    expect(e.pinnedBytes()).toBe(0);
    expect(e.mark()).toBe(16);
  });

  it('refuses to grow the pinned region under scratch in use, and an unknown block', () => {
    const e = new JsEngine(4, createJsOps);
    e.alloc(10);
    expect(() => e.pin(4)).toThrow('scratch memory is in use');
    expect(() => e.unpin(12345)).toThrow('no pinned block at 12345');
  });

  it('pins nothing past pinLimitBytes: pin says 0 and a large result is computed in scratch and not kept', () => {
    const e = new JsEngine(4, createJsOps);
    e.pinLimitBytes = 1000;
    const a = e.pin(100); // 416 bytes with its guard: fits
    expect(a).toBeGreaterThan(0);
    expect(e.pin(200)).toBe(0); // 816 more would pass 1000
    e.unpin(a);
    const out = e.withResult(100_000, (block) => {
      expect(e.pinnedBytes()).toBe(0); // past the limit: computed in scratch
      return e.takeResult(block, 100_000);
    });
    expect(e.residentPtr(out, 0)).toBeUndefined();
    expect(e.pinnedBytes()).toBe(0);
  });
});
