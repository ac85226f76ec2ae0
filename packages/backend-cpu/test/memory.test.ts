import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/index.js';
import { makeBackend, up, viewOf } from './helpers.js';

describe('backend basics', () => {
  it('declares its capabilities', () => {
    const be = makeBackend();
    expect(be.name).toBe('cpu');
    expect(be.capabilities).toEqual({ dtypes: ['f32', 'f64', 'i32', 'bool'], ieeeSpecialValues: true, syncRead: true });
    expect(Object.keys(be.fused ?? {}).sort()).toEqual([
      'adamStep', 'crossEntropy', 'crossEntropyBackward', 'gruSequence', 'gruSequenceBackward', 'lstmSequence', 'lstmSequenceBackward', 'matmulBias', 'rnnSequence',
      'rnnSequenceBackward',
    ]);
  });

  it('can leave out f64 but always offers i32 and bool', () => {
    const be = createCpuBackend({ dtypes: ['f32'] });
    expect(be.capabilities.dtypes).toEqual(['f32', 'i32', 'bool']);
    expect(() => be.upload(new Float64Array(1), 'f64')).toThrow(RnnkitError);
    expect(() => be.kernels.fill([1], 'f64', 0)).toThrow(/f64 is not enabled/);
  });

  it('upload copies: changing the source afterwards changes nothing', () => {
    const be = makeBackend();
    const src = new Float32Array([1, 2]);
    const h = be.upload(src, 'f32');
    src[0] = 99;
    expect(Array.from(be.readSync!(viewOf(h, 'f32', [2])))).toEqual([1, 2]);
  });

  it('upload converts an array of another type to the dtype', () => {
    const be = makeBackend();
    const h = be.upload(new Float64Array([1.7, -2.5, 0]), 'i32');
    expect(h.data).toBeInstanceOf(Int32Array);
    expect(Array.from(h.data)).toEqual([1, -2, 0]);
    const b = be.upload(new Float64Array([0.5, 0]), 'bool');
    expect(Array.from(b.data)).toEqual([1, 0]);
  });

  it('read and readSync return fresh contiguous arrays', async () => {
    const be = makeBackend();
    const x = up(be, [1, 2, 3], [3], 'i32');
    const a = be.readSync!(x);
    const b = await be.read(x);
    expect(a).toBeInstanceOf(Int32Array);
    expect(a).not.toBe(x.handle.data);
    a[0] = 42;
    expect(Array.from(b)).toEqual([1, 2, 3]);
  });
});

describe('memory accounting', () => {
  it('counts live handles and bytes, and returns to baseline after free', () => {
    const be = makeBackend();
    const base = be.stats();
    expect(base).toEqual({ liveHandles: 0, bytes: 0, peakBytes: 0, pooledBytes: 0 });
    const x = up(be, [1, 2, 3, 4], [4], 'f64'); // 32 bytes
    const y = be.kernels.unary('isFinite', x); // 4 bytes
    const z = be.kernels.cast(x, 'f32'); // 16 bytes
    expect(be.stats()).toEqual({ liveHandles: 3, bytes: 52, peakBytes: 52, pooledBytes: 0 });
    be.free(y);
    be.free(z);
    be.free(x.handle);
    expect(be.stats()).toEqual({ liveHandles: 0, bytes: 0, peakBytes: 52, pooledBytes: 0 });
  });

  it('resetPeak drops the peak to what is live now', () => {
    const be = makeBackend();
    const a = be.kernels.fill([10], 'f64', 0);
    const b = be.kernels.fill([10], 'f64', 0);
    be.free(a);
    expect(be.stats().peakBytes).toBe(160);
    be.resetPeak();
    expect(be.stats().peakBytes).toBe(80);
    be.free(b);
    expect(be.stats().bytes).toBe(0);
  });

  it('views add nothing', () => {
    const be = makeBackend();
    const x = up(be, [1, 2, 3, 4], [2, 2]);
    const before = be.stats();
    void viewOf(x.handle, 'f64', [2, 2], [1, 2]);
    expect(be.stats()).toEqual(before);
  });

  it('freeing twice throws an RnnkitError', () => {
    const be = makeBackend();
    const h = be.kernels.fill([2], 'f32', 1);
    be.free(h);
    expect(() => be.free(h)).toThrow(RnnkitError);
    expect(() => be.free(h)).toThrow(/already freed/);
    expect(be.stats().liveHandles).toBe(0);
  });

  it('rejects handles from another backend and reads of freed handles', async () => {
    const a = makeBackend();
    const b = makeBackend();
    const h = a.kernels.fill([2], 'f32', 1);
    expect(() => b.free(h)).toThrow(/not allocated by this CPU backend/);
    a.free(h);
    const v = viewOf(h, 'f32', [2]);
    expect(() => a.readSync!(v)).toThrow(/already freed/);
    await expect(a.read(v)).rejects.toThrow(RnnkitError);
    expect(() => a.kernels.unary('neg', v)).toThrow(/already freed/);
  });

  it('fused kernels register every result, saved activations included', () => {
    const be = makeBackend();
    const T = 2, B = 1, H = 2;
    const xProj = up(be, new Array<number>(T * B * 4 * H).fill(0.1), [T, B, 4 * H]);
    const h0 = up(be, [0, 0], [B, H]);
    const c0 = up(be, [0, 0], [B, H]);
    const wHh = up(be, new Array<number>(4 * H * H).fill(0.2), [4 * H, H]);
    const bHh = up(be, new Array<number>(4 * H).fill(0), [4 * H]);
    const base = be.stats().liveHandles;
    const args = { xProj, h0, c0, wHh, bHh, options: {} };
    const fwd = be.fused!.lstmSequence!(args);
    const bwd = be.fused!.lstmSequenceBackward!(args, fwd, { wantStateGrads: true });
    const outs = [fwd.hs, fwd.hT, fwd.cT!, ...fwd.saved, bwd.dxProj, bwd.dh0, bwd.dc0!, bwd.dWhh, bwd.dbHh, bwd.dhs!, bwd.dcs!];
    expect(be.stats().liveHandles).toBe(base + outs.length);
    for (const h of outs) be.free(h);
    expect(be.stats().liveHandles).toBe(base);
  });
});
