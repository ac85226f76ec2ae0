import { describe, expect, it } from 'vitest';
import { createRng, Rng } from '../src/rng.js';

describe('Rng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createRng(42).uniformArray(5);
    expect(createRng(42).uniformArray(5)).toEqual(a);
    expect(createRng(43).uniformArray(5)).not.toEqual(a);
  });

  it('draws uniform values in [0, 1) with the right mean and variance', () => {
    const xs = createRng(1).uniformArray(20000);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws normals with mean 0 and standard deviation 1', () => {
    const xs = createRng(2).normalArray(20000);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
  });

  it('splits into independent streams deterministically', () => {
    const r1 = createRng(7);
    const r2 = createRng(7);
    const c1 = r1.split();
    const c2 = r2.split();
    expect(c1.uniformArray(4)).toEqual(c2.uniformArray(4));
    expect(r1.split().uniformArray(4)).not.toEqual(c1.uniformArray(4));
  });

  it('forks by label independently of how many draws came before', () => {
    const a = createRng(9);
    const b = createRng(9);
    b.uniformArray(100);
    expect(a.fork('probe').uniformArray(3)).toEqual(b.fork('probe').uniformArray(3));
    expect(a.fork('probe').uniformArray(3)).not.toEqual(a.fork('dropout').uniformArray(3));
  });

  it('resumes exactly from its saved state', () => {
    const r = createRng(5);
    r.uniformArray(10);
    const saved = JSON.parse(JSON.stringify(r.state())) as ReturnType<Rng['state']>;
    const next = r.uniformArray(4);
    expect(Rng.fromState(saved).uniformArray(4)).toEqual(next);
  });

  it('permutes 0..n-1', () => {
    const p = Array.from(createRng(3).permutation(50));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual([...p].sort((x, y) => x - y));
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => createRng(1.5)).toThrow('seed must be a safe integer, got 1.5');
  });
});
