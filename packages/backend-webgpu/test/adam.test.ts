// The fused Adam step on WebGPU against the CPU backend's (hostAdamStep, f32), kernel by kernel and
// through a few adam(1e-3) steps of @rnnkit/optim on a small regression problem.
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { adam, applyUpdates, disposeState } from '@rnnkit/optim';
import { add, contiguousStrides, createRng, matmul, mean, square, sub, tensor } from '@rnnkit/tensor';
import type { AdamStepArgs, Backend, Handle, Tensor, View } from '@rnnkit/tensor';
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

function draw(n: number, seed: string, lo: number, hi: number): Float32Array {
  const rng = createRng(11).fork(seed);
  return Float32Array.from({ length: n }, () => lo + rng.nextFloat() * (hi - lo));
}

/** Largest |got − want| / max(|want|, 1e-30) over the elements. */
function worstRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const rel = Math.abs(got[i]! - w) / Math.max(Math.abs(w), 1e-30);
    if (!(rel <= worst)) worst = rel;
  }
  return worst;
}

interface Case {
  readonly name: string;
  readonly shape: number[];
  /** Elements of padding before the data in each input's storage (a view with an offset). */
  readonly offset?: number;
  /** Hand the gradient in as a transposed (non-contiguous) view of a 2-D storage. */
  readonly transposed?: boolean;
}

const CASES: readonly Case[] = [
  { name: '0-d', shape: [] },
  { name: '[5] (smaller than a workgroup)', shape: [5] },
  { name: '[37, 29] (1,073 elements: not a multiple of 64)', shape: [37, 29] },
  { name: '[1024, 256] (large)', shape: [1024, 256] },
  { name: '[3, 7, 5] views at element offset 13', shape: [3, 7, 5], offset: 13 },
  { name: '[19, 11] with a transposed gradient and offset 3', shape: [19, 11], offset: 3, transposed: true },
];

/** Runs the fused step on `be` and reads mu, nu and update back. */
async function runStep(be: Backend, c: Case, t: number): Promise<{ mu: Float32Array; nu: Float32Array; update: Float32Array }> {
  const n = c.shape.reduce((a, b) => a * b, 1);
  const off = c.offset ?? 0;
  const stored = (data: Float32Array): Handle => be.upload(Float32Array.from([...draw(off, 'pad', -9, 9), ...data]), 'f32');
  const view = (h: Handle): View => ({ handle: h, dtype: 'f32', shape: c.shape, strides: contiguousStrides(c.shape), offset: off });
  let g = draw(n, `g${c.name}`, -2, 2);
  let gView: (h: Handle) => View = view;
  if (c.transposed) {
    // Storage holds gᵀ [cols, rows]; the view [rows, cols] walks it with swapped strides.
    const [rows, cols] = c.shape as [number, number];
    const gt = new Float32Array(n);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) gt[j * rows + i] = g[i * cols + j]!;
    g = gt;
    gView = (h) => ({ handle: h, dtype: 'f32', shape: c.shape, strides: [1, rows], offset: off });
  }
  const hg = stored(g);
  const hm = stored(draw(n, `m${c.name}`, -0.5, 0.5));
  const hv = stored(draw(n, `v${c.name}`, 0, 0.3));
  const b1 = 0.9;
  const b2 = 0.999;
  // The corrections as the optimiser computes them, as 0-d views with an offset into one storage.
  const hc = be.upload(Float32Array.of(7, 1 - b1 ** t, Math.sqrt(1 - b2 ** t)), 'f32');
  const scalar = (offset: number): View => ({ handle: hc, dtype: 'f32', shape: [], strides: [], offset });
  const args: AdamStepArgs = { grad: gView(hg), mu: view(hm), nu: view(hv), bc1: scalar(1), bc2Sqrt: scalar(2), beta1: b1, beta2: b2, eps: 1e-8 };
  const r = be.fused!.adamStep!(args);
  const read = async (h: Handle) => (await be.read({ handle: h, dtype: 'f32', shape: c.shape, strides: contiguousStrides(c.shape), offset: 0 })) as Float32Array;
  const out = { mu: await read(r.mu), nu: await read(r.nu), update: await read(r.update) };
  for (const h of [r.mu, r.nu, r.update, hg, hm, hv, hc]) be.free(h);
  return out;
}

describe('fused adamStep on WebGPU', () => {
  let gpu: WebGpuBackend | null = null;
  let small: WebGpuBackend | null = null;
  const cpu = createCpuBackend();
  beforeAll(async () => {
    gpu = await gpuBackend();
    // A 1 KiB binding limit: the packed input holds 64 elements of each operand, so big parameters go in chunks.
    small = gpu && (await gpuBackend({ maxBindingBytes: 1024 }));
  });
  afterAll(() => {
    gpu?.destroy();
    small?.destroy();
  });
  const need = (ctx: TestContext): WebGpuBackend => gpu ?? ctx.skip('no WebGPU adapter here');

  for (const c of CASES) {
    it(`matches the CPU backend's adamStep (f32) for ${c.name}`, async (ctx) => {
      const be = need(ctx);
      const before = be.stats().liveHandles;
      for (const t of [1, 7]) {
        const dispatches = be.gpuStats().dispatches;
        const got = await runStep(be, c, t);
        const n = c.shape.reduce((a, b) => a * b, 1);
        expect(be.gpuStats().dispatches - dispatches, 'dispatches (strided inputs are copied first)').toBe(n === 0 ? 0 : c.transposed ? 2 : 1);
        const want = await runStep(cpu, c, t);
        for (const k of ['mu', 'nu', 'update'] as const) {
          expect(worstRel(got[k], want[k]), `${k} at t=${t}`).toBeLessThanOrEqual(1e-6);
        }
      }
      expect(be.stats().liveHandles, 'live handles after the steps').toBe(before);
    });
  }

  it('steps a parameter larger than one storage binding in chunks (1,073 elements, 64 a chunk; a strided gradient)', async (ctx) => {
    need(ctx);
    const be = small!;
    for (const c of [CASES[2]!, CASES[5]!]) {
      const before = be.gpuStats().dispatches;
      const got = await runStep(be, c, 3);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const dispatches = be.gpuStats().dispatches - before;
      if (c.transposed) expect(dispatches, 'dispatches: one per chunk, plus the (chunked) strided copy').toBeGreaterThan(Math.ceil(n / 64));
      else expect(dispatches, 'dispatches: one per chunk').toBe(Math.ceil(n / 64));
      const want = await runStep(cpu, c, 3);
      for (const k of ['mu', 'nu', 'update'] as const) expect(worstRel(got[k], want[k]), `${c.name}: ${k}`).toBeLessThanOrEqual(1e-6);
    }
  });

  it('refuses f32 moments whose shape differs from the gradient, naming the shapes', (ctx) => {
    const be = need(ctx);
    const g = be.upload(new Float32Array(6), 'f32');
    const m = be.upload(new Float32Array(6), 'f32');
    const s = be.upload(Float32Array.of(1), 'f32');
    const v = (h: Handle, shape: number[]): View => ({ handle: h, dtype: 'f32', shape, strides: contiguousStrides(shape), offset: 0 });
    expect(() =>
      (be as Backend).fused!.adamStep!({ grad: v(g, [2, 3]), mu: v(m, [3, 2]), nu: v(m, [2, 3]), bc1: v(s, []), bc2Sqrt: v(s, []), beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
    ).toThrow(/mu is f32 \[3, 2\] but the gradient is f32 \[2, 3\]/);
    for (const h of [g, m, s]) be.free(h);
  });

  it('adam(1e-3) on a small regression problem: parameters after 5 steps match the CPU backend (f32), through the fused kernel', async (ctx) => {
    const be = need(ctx);
    const spy = vi.spyOn(be.fused!, 'adamStep');
    const got = await trainRegression(be, 5);
    expect(spy.mock.calls.length, 'adamStep calls (2 parameters × 5 steps)').toBe(10);
    spy.mockRestore();
    const want = await trainRegression(cpu, 5);
    expect(got.losses[4]!, 'the loss falls').toBeLessThan(got.losses[0]!);
    for (let i = 0; i < 5; i++) expect(Math.abs(got.losses[i]! - want.losses[i]!) / want.losses[i]!, `loss at step ${i}`).toBeLessThanOrEqual(1e-5);
    // Each parameter moved by ≈ 5·lr (Adam's steps are ≈ lr whatever the gradient's size): compare the moves.
    for (const k of ['w', 'b'] as const) {
      const movedGot = got.params[k].map((x, i) => x - got.init[k][i]!);
      const movedWant = want.params[k].map((x, i) => x - want.init[k][i]!);
      let worst = 0;
      for (let i = 0; i < movedWant.length; i++) worst = Math.max(worst, Math.abs(movedGot[i]! - movedWant[i]!));
      expect(worst, `${k}: largest difference in how far it moved (steps are ≈ 5e-3)`).toBeLessThanOrEqual(5e-6);
    }
  });
});

/** y = x·w + b fitted to a random linear target by mean squared error; returns losses and parameters. */
async function trainRegression(be: Backend, steps: number) {
  const [N, I, O] = [16, 9, 3];
  const x = tensor(be, draw(N * I, 'x', -1, 1), [N, I], 'f32');
  const y = tensor(be, draw(N * O, 'y', -1, 1), [N, O], 'f32');
  const init = { w: draw(I * O, 'w', -0.5, 0.5), b: draw(O, 'b', -0.1, 0.1) };
  let params: { w: Tensor; b: Tensor } = { w: tensor(be, init.w, [I, O], 'f32'), b: tensor(be, init.b, [O], 'f32') };
  const loss = (p: { w: Tensor; b: Tensor }, xs: Tensor, ys: Tensor): Tensor => mean(square(sub(add(matmul(xs, p.w), p.b), ys)));
  const step = valueAndGrad(loss);
  const opt = adam(1e-3);
  let state = opt.init(params);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = step(params, x, y);
    const [updates, next] = opt.update(grads, state, params);
    params = applyUpdates(params, updates, { donate: true });
    losses.push(Number((await value.read())[0]));
    disposeState([state, grads, value]);
    state = next;
  }
  const out = { losses, init, params: { w: (await params.w.read()) as Float32Array, b: (await params.b.read()) as Float32Array } };
  disposeState([state, params, x, y]);
  return out;
}
