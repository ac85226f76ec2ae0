import { createCpuBackend } from '@rnnkit/backend-cpu';
import { contiguousStrides, createRng, type Backend, type DType, type Handle, type View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

const view = (h: Handle, dtype: DType, shape: number[], strides = contiguousStrides(shape), offset = 0): View => ({ handle: h, dtype, shape, strides, offset });
const rand = (n: number, seed: string) => {
  const rng = createRng(11).fork(seed);
  return Float32Array.from({ length: n }, () => rng.nextFloat() * 2 - 1);
};

describe('WebGPU backend specifics', () => {
  let be: WebGpuBackend | null = null;
  let small: WebGpuBackend | null = null;
  let tiled: WebGpuBackend | null = null;
  const cpu: Backend = createCpuBackend();
  beforeAll(async () => {
    be = await gpuBackend();
    // A 1 KiB binding limit (256 elements) forces the element-wise kernels to chunk.
    small = be && (await gpuBackend({ maxBindingBytes: 1024 }));
    tiled = be && (await gpuBackend({ matmul: 'tiled' }));
  });
  afterAll(() => {
    for (const b of [be, small, tiled]) b?.destroy();
  });
  const need = (ctx: TestContext, b: WebGpuBackend | null): WebGpuBackend => b ?? (ctx.skip('no WebGPU adapter here'));
  /** The same backend under the contract's generic handle type, for handcrafted views. */
  const generic = (b: WebGpuBackend): Backend => b;

  it('declares f32, i32 and bool, no IEEE promise and no readSync; picks the blocked matmul on SwiftShader', (ctx) => {
    const b = need(ctx, be);
    expect(b.capabilities).toEqual({ dtypes: ['f32', 'i32', 'bool'], ieeeSpecialValues: false, syncRead: false });
    expect('readSync' in b).toBe(false);
    if (/swiftshader/i.test(b.adapterInfo.architecture + b.adapterInfo.description)) expect(b.matmulVariant).toBe('blocked');
  });

  it('chunks element-wise kernels over tensors larger than the binding limit (strided, broadcast and offset views)', async (ctx) => {
    const b = generic(need(ctx, small));
    const [R, C] = [37, 29]; // 1073 elements, 4.2 KiB: four times the limit
    const x = rand(R * C, 'x');
    const y = rand(C, 'y');
    const hx = b.upload(x, 'f32');
    const hy = b.upload(y, 'f32');
    const cx = cpu.upload(x, 'f32');
    const cy = cpu.upload(y, 'f32');
    const cases: [string, (k: Backend['kernels'], X: Handle, Y: Handle) => Handle, number[]][] = [
      ['copy of a transposed view', (k, X) => k.copy(view(X, 'f32', [C, R], [1, C])), [C, R]],
      ['tanh of an offset slice', (k, X) => k.unary('tanh', view(X, 'f32', [R - 1, C], [C, 1], C)), [R - 1, C]],
      ['add with a stride-0 broadcast row', (k, X, Y) => k.binary('add', view(X, 'f32', [R, C]), view(Y, 'f32', [R, C], [0, 1])), [R, C]],
      ['cast of every other row to i32', (k, X) => k.cast(view(X, 'f32', [Math.ceil(R / 2), C], [2 * C, 1]), 'i32'), [Math.ceil(R / 2), C]],
    ];
    for (const [title, f, shape] of cases) {
      const g = f(b.kernels, hx, hy);
      const c = f(cpu.kernels, cx, cy);
      const dtype = title.includes('i32') ? 'i32' : 'f32';
      expectClose(await b.read(view(g, dtype, shape)), await cpu.read(view(c, dtype, shape)), 'f32', title);
      b.free(g);
      cpu.free(c);
    }
    const concat = b.kernels.concat([view(hx, 'f32', [R, C]), view(hx, 'f32', [R, C], [C, 1])], 0);
    expectClose(await b.read(view(concat, 'f32', [2 * R * C])), Float32Array.from([...x, ...x]), 'f32', 'concat');
    b.free(concat);
    // Kernels without a chunked path refuse with the op named, instead of reading out of bounds.
    expect(() => b.kernels.reduce('sum', view(hx, 'f32', [R, C]), [1])).toThrow(/sum: .*binding limit/);
    for (const h of [hx, hy]) b.free(h);
  });

  it('the shared-memory tiled matmul agrees with the CPU backend', async (ctx) => {
    const b = generic(need(ctx, tiled));
    for (const [M, K, N] of [[1, 1, 1], [17, 33, 9], [64, 65, 31]] as const) {
      const a = rand(M * K, `a${M}`);
      const bb = rand(K * N, `b${M}`);
      const ga = b.upload(a, 'f32');
      const gb = b.upload(bb, 'f32');
      const g = b.kernels.matmul(view(ga, 'f32', [M, K]), view(gb, 'f32', [K, N]));
      const c = cpu.kernels.matmul(view(cpu.upload(Float64Array.from(a), 'f64'), 'f64', [M, K]), view(cpu.upload(Float64Array.from(bb), 'f64'), 'f64', [K, N]));
      expectClose(await b.read(view(g, 'f32', [M, N])), await cpu.read(view(c, 'f64', [M, N])), 'f32', `tiled matmul ${M}x${K}x${N}`);
      for (const h of [ga, gb, g]) b.free(h);
    }
  });

  it('the register-blocked matmul agrees with the CPU backend: 4- and 8-row blocks, ragged edges, transposed and offset views, batches', async (ctx) => {
    const b = generic(need(ctx, be));
    // [M, K, N, a transposed, b transposed, batch]; M ≥ 32 takes 8-row blocks.
    const cases = [[1, 7, 1, false, false, 1], [31, 17, 9, false, true, 1], [33, 5, 130, true, false, 1], [200, 128, 37, false, true, 1], [67, 40, 3, true, true, 1], [40, 9, 11, false, false, 3]] as const;
    for (const [M, K, N, ta, tb, batch] of cases) {
      const a = rand(batch * M * K + 5, `a${M}`);
      const bb = rand(batch * K * N + 3, `b${M}`);
      // Storage starts 5 (a) and 3 (b) elements in; a transposed operand is stored [.., cols, rows].
      const layout = (rows: number, cols: number, t: boolean, offset: number): [number[], number[], number] => [
        batch > 1 ? [batch, rows, cols] : [rows, cols],
        [...(batch > 1 ? [rows * cols] : []), ...(t ? [1, rows] : [cols, 1])],
        offset,
      ];
      const [sa, ta_, oa] = layout(M, K, ta, 5);
      const [sb, tb_, ob] = layout(K, N, tb, 3);
      const g = b.kernels.matmul(view(b.upload(a, 'f32'), 'f32', sa, ta_, oa), view(b.upload(bb, 'f32'), 'f32', sb, tb_, ob));
      const c = cpu.kernels.matmul(view(cpu.upload(Float64Array.from(a), 'f64'), 'f64', sa, ta_, oa), view(cpu.upload(Float64Array.from(bb), 'f64'), 'f64', sb, tb_, ob));
      const out = [...sa.slice(0, -1), N];
      expectClose(await b.read(view(g, 'f32', out)), await cpu.read(view(c, 'f64', out)), 'f32', `blocked matmul ${M}x${K}x${N} (aᵀ ${ta}, bᵀ ${tb}, batch ${batch})`);
      b.free(g);
    }
  });

  it('refuses f64 naming the op, foreign and freed handles', async (ctx) => {
    const b = generic(need(ctx, be));
    expect(() => b.upload(new Float64Array(3), 'f64')).toThrow(/upload: dtype f64 is not supported/);
    expect(() => b.kernels.fill([2], 'f64', 1)).toThrow(/fill: dtype f64/);
    const foreign = cpu.upload(Float32Array.of(1, 2), 'f32');
    expect(() => b.kernels.unary('exp', view(foreign, 'f32', [2]))).toThrow(/exp: a tensor from another backend/);
    const h = b.upload(Float32Array.of(1, 2), 'f32');
    b.free(h);
    expect(() => b.kernels.copy(view(h, 'f32', [2]))).toThrow(/copy: .*already freed/);
    await expect(b.read(view(h, 'f32', [2]))).rejects.toThrow(/read: .*already freed/);
    expect(() => b.free(h)).toThrow(/already freed/);
  });

  it('pools freed buffers and counts bytes, peaks, dispatches and pipelines', (ctx) => {
    const b = need(ctx, be);
    b.free(b.kernels.fill([1000], 'f32', 1)); // compiles fill's pipeline (whatever ran before)
    b.resetPeak();
    const s0 = b.gpuStats();
    const h = b.kernels.fill([1000], 'f32', 2);
    expect(b.stats().bytes - s0.bytes).toBe(4000);
    b.free(h);
    const s1 = b.stats();
    expect(s1.liveHandles).toBe(s0.liveHandles);
    expect(s1.pooledBytes).toBeGreaterThan(0);
    expect(s1.peakBytes).toBeGreaterThanOrEqual(s0.bytes + 4000);
    const h2 = b.kernels.fill([1000], 'f32', 3); // reuses the pooled buffer
    expect(b.stats().pooledBytes).toBe(s1.pooledBytes - 4096);
    b.free(h2);
    const s2 = b.gpuStats();
    expect(s2.dispatches - s0.dispatches).toBe(2);
    expect(s2.pipelines).toBe(s0.pipelines); // fill's pipeline, cached
  });

  it('a destroyed device surfaces as an error naming the op', async (ctx) => {
    need(ctx, be);
    const b = (await gpuBackend())!;
    b.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(() => b.kernels.fill([4], 'f32', 1)).toThrow(/fill: the GPU device was destroyed/);
  });

  it('timings on this adapter (informational): LSTM train step B=8 H=64 T=32', async (ctx) => {
    const w = need(ctx, be);
    const b = generic(w);
    const [T, B, H] = [32, 8, 64];
    const up = (n: number, s: string, shape: number[]) => view(b.upload(rand(n, s).map((v) => v * 0.3), 'f32'), 'f32', shape);
    const args = { xProj: up(T * B * 4 * H, 'x', [T, B, 4 * H]), h0: up(B * H, 'h', [B, H]), c0: up(B * H, 'c', [B, H]), wHh: up(4 * H * H, 'w', [4 * H, H]), bHh: up(4 * H, 'b', [4 * H]), options: {} };
    const dhs = up(T * B * H, 'd', [T, B, H]);
    const step = async () => {
      const f = b.fused!.lstmSequence!(args);
      const g = b.fused!.lstmSequenceBackward!(args, f, { dhs });
      await b.read(view(g.dWhh, 'f32', [1]));
      for (const h of [f.hs, f.hT, f.cT!, ...f.saved, g.dxProj, g.dh0, g.dc0!, g.dWhh, g.dbHh]) b.free(h);
    };
    await step();
    const t0 = performance.now();
    const d0 = w.gpuStats().dispatches;
    for (let i = 0; i < 3; i++) await step();
    const ms = (performance.now() - t0) / 3;
    console.log(`LSTM T=${T} B=${B} H=${H} forward+backward on ${w.adapterInfo.description}: ${ms.toFixed(1)} ms/step, ${(ms / T).toFixed(2)} ms per time step, ${(w.gpuStats().dispatches - d0) / 3} dispatches per call`);
    for (const v of [args.xProj, args.h0, args.c0, args.wHh, args.bHh, dhs]) b.free(v.handle);
  });
});
