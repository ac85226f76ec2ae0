import { describe, expect, it } from 'vitest';
import { HostMemory } from '../src/index.js';

describe('HostMemory pool', () => {
  it('hands a freed whole array back through acquire, and only for the same dtype and length', () => {
    const m = new HostMemory('test', { poolBytes: 1 << 20 });
    const data = new Float32Array(2048);
    m.free(m.track(data));
    expect(m.stats().pooledBytes).toBe(8192);
    expect(m.acquire('i32', 2048)).not.toBe(data);
    expect(m.acquire('f32', 2047)).not.toBe(data);
    expect(m.acquire('f32', 2048)).toBe(data);
    expect(m.stats().pooledBytes).toBe(0);
    expect(m.acquire('f32', 2048)).not.toBe(data);
  });

  it('leaves views into a larger buffer to the garbage collector', () => {
    const m = new HostMemory('test', { poolBytes: 1 << 20 });
    const buffer = new Float32Array(4096);
    m.free(m.track(buffer.subarray(0, 2048)));
    expect(m.stats().pooledBytes).toBe(0);
  });

  it('drops the pool on trimPool, and pools nothing by default', () => {
    const m = new HostMemory('test', { poolBytes: 1 << 20 });
    m.free(m.track(new Float64Array(1024)));
    m.trimPool();
    expect(m.stats().pooledBytes).toBe(0);
    const plain = new HostMemory('test');
    plain.free(plain.track(new Float64Array(1024)));
    expect(plain.stats()).toEqual({ liveHandles: 0, bytes: 0, peakBytes: 8192, pooledBytes: 0 });
  });
});
