import { createCpuBackend } from '@rnnkit/backend-cpu';
import { scalar, tensor, treeDispose, type Backend, type ParamTree, type Tensor, type Transform } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import {
  adadelta, adagrad, adam, adamax, adamw, allFinite, amsgrad, applyIfFinite, applyUpdates, chain, clipByGlobalNorm, clipByNorm, clipByValue,
  disposeState, globalNorm, identity, momentum, multiSteps, nesterov, rmsprop, scaleByAdam, scaleByLearningRate, sgd, warmupCosine,
} from '../src/index.js';
import { backend, readTree } from './helpers.js';

const f64 = (data: number[], shape = [data.length]): Tensor => tensor(backend, data, shape, 'f64');

/** Runs one update and returns the updates read back, freeing everything else. */
async function once<S>(t: Transform<S>, grads: ParamTree, params: ParamTree): Promise<Record<string, number[]>> {
  const state = t.init(params);
  const [u, next] = t.update(grads, state, params);
  const out = await readTree(u);
  disposeState([state, next, u]);
  return out;
}

describe('chain', () => {
  it('threads states in order and frees the updates between links', async () => {
    const before = backend.stats().liveHandles;
    const p = { w: f64([1, 2]) };
    const g = { w: f64([0.5, -1]) };
    const t = chain(identity(), clipByValue(0.75), scaleByLearningRate(2));
    const state = t.init(p);
    expect(state).toHaveLength(3);
    const [u, next] = t.update(g, state, p);
    expect((await readTree(u)).w).toEqual([-1, 1.5]);
    disposeState([state, next, u, p, g]);
    expect(backend.stats().liveHandles).toBe(before);
  });
});

describe('clipping', () => {
  it('globalNorm is √Σ‖g‖² over the tree, as a 0-d tensor', async () => {
    const n = globalNorm({ a: f64([3]), b: [f64([4, 0], [1, 2])] });
    expect(n.shape).toEqual([]);
    expect(await n.item()).toBe(5);
  });
  it('clipByGlobalNorm keeps the pre-clip norm in its state and leaves small gradients exactly alone', async () => {
    const g = { a: f64([3, 4]) };
    const t = clipByGlobalNorm(1);
    const s = t.init(g);
    expect(await s.norm.item()).toBe(0);
    const [u, next] = t.update(g, s);
    expect(await next.norm.item()).toBe(5);
    const [x, y] = (await readTree(u)).a!;
    expect(Math.hypot(x!, y!)).toBeCloseTo(1 / (1 + 2e-7), 12);
    expect((await once(clipByGlobalNorm(10), g, g)).a).toEqual([3, 4]);
  });
  it('clipByNorm clips each tensor on its own', async () => {
    const u = await once(clipByNorm(1), { a: f64([3, 4]), b: f64([0.3, 0.4]) }, { a: f64([0, 0]), b: f64([0, 0]) });
    expect(Math.hypot(...u.a!)).toBeCloseTo(1, 6);
    expect(u.b).toEqual([0.3, 0.4]);
  });
  it('clipByValue clamps elements', async () => {
    expect((await once(clipByValue(0.5), { a: f64([-2, 0.25, 3]) }, { a: f64([0, 0, 0]) })).a).toEqual([-0.5, 0.25, 0.5]);
  });
});

describe('applyIfFinite', () => {
  it('skips non-finite steps on the device: zero updates, inner state kept, skips counted', async () => {
    const p = { w: f64([1, 2]) };
    const t = applyIfFinite(adam(0.1));
    let state = t.init(p);
    const steps = [[1, 1], [NaN, 1], [1, Infinity], [0.5, -0.5]];
    const updates: number[][] = [];
    for (const g of steps) {
      const grads = { w: f64(g) };
      const [u, next] = t.update(grads, state, p);
      updates.push((await readTree(u)).w!);
      disposeState([grads, u, state]);
      state = next;
    }
    expect(updates[1]).toEqual([0, 0]);
    expect(updates[2]).toEqual([0, 0]);
    expect(await state.skipped.item()).toBe(2);
    expect(await state.notFiniteCount.item()).toBe(0);
    expect(await state.lastFinite.item()).toBe(1);
    // The inner Adam saw exactly two steps.
    expect(await (state.inner.inner[1].count).item()).toBe(2);
    const ref = adam(0.1);
    let rs = ref.init(p);
    let last: number[] = [];
    for (const g of [steps[0]!, steps[3]!]) {
      const grads = { w: f64(g) };
      const [u, next] = ref.update(grads, rs, p);
      last = (await readTree(u)).w!;
      disposeState([grads, u, rs]);
      rs = next;
    }
    expect(updates[3]).toEqual(last);
    disposeState([state, rs, p]);
  });
  it('applies anyway after maxConsecutiveErrors non-finite steps', async () => {
    const p = { w: f64([1]) };
    const t = applyIfFinite(sgd(1), { maxConsecutiveErrors: 1 });
    let state = t.init(p);
    const got: number[] = [];
    for (const g of [NaN, NaN]) {
      const grads = { w: f64([g]) };
      const [u, next] = t.update(grads, state, p);
      got.push((await readTree(u)).w![0]!);
      disposeState([grads, u, state]);
      state = next;
    }
    expect(got[0]).toBe(0);
    expect(got[1]).toBeNaN();
    disposeState([state, p]);
  });
  it('allFinite is a 0-d bool tensor', async () => {
    const ok = allFinite({ a: f64([1, 2]), b: f64([3]) });
    const bad = allFinite({ a: f64([1, 2]), b: f64([-Infinity]) });
    expect([ok.dtype, ok.shape, await ok.item(), await bad.item()]).toEqual(['bool', [], 1, 0]);
  });
});

describe('multiSteps', () => {
  it('applies the inner optimiser to the mean of every N micro-batch gradients', async () => {
    const p = { w: f64([1, -1]) };
    const t = multiSteps(adam(0.1), { every: 3 });
    const ref = adam(0.1);
    let state = t.init(p);
    let rs = ref.init(p);
    const micro = [[1, 2], [3, -4], [2, 5], [0.5, 0.5], [1, 1], [-2, 0]];
    for (let i = 0; i < micro.length; i++) {
      const grads = { w: f64(micro[i]!) };
      const [u, next] = t.update(grads, state, p);
      const got = (await readTree(u)).w!;
      if (i % 3 === 2) {
        const mean = [0, 1].map((j) => (micro[i - 2]![j]! + micro[i - 1]![j]! + micro[i]![j]!) / 3);
        const mg = { w: f64(mean) };
        const [ru, rnext] = ref.update(mg, rs, p);
        expect(got).toEqual((await readTree(ru)).w);
        disposeState([mg, ru, rs]);
        rs = rnext;
      } else expect(got).toEqual([0, 0]);
      expect(await state.miniStep.item()).toBe(i % 3);
      disposeState([grads, u, state]);
      state = next;
    }
    disposeState([state, rs, p]);
  });
});

describe('applyUpdates', () => {
  it('adds, and with donate frees the old parameters and the updates', async () => {
    const before = backend.stats().liveHandles;
    const p = { a: f64([1, 2]), b: [f64([3])] };
    const u = { a: f64([0.5, 0.5]), b: [f64([-1])] };
    const kept = applyUpdates(p, u);
    expect(p.a.isDisposed).toBe(false);
    const next = applyUpdates(p, u, { donate: true });
    expect(await readTree(next)).toEqual({ a: [1.5, 2.5], 'b.0': [2] });
    expect([p.a.isDisposed, p.b[0]!.isDisposed, u.a.isDisposed]).toEqual([true, true, true]);
    treeDispose([kept, next]);
    expect(backend.stats().liveHandles).toBe(before);
  });
});

// A backend that refuses reads: update must decide everything on the device.
function noReadBackend(): Backend & { reads: number } {
  const cpu = createCpuBackend();
  const be = {
    reads: 0,
    name: 'no-read',
    capabilities: { ...cpu.capabilities, syncRead: false },
    kernels: cpu.kernels,
    upload: cpu.upload.bind(cpu),
    read: () => {
      be.reads++;
      return Promise.reject(new Error('read back to the host during update'));
    },
    free: cpu.free.bind(cpu),
    stats: cpu.stats.bind(cpu),
    resetPeak: cpu.resetPeak.bind(cpu),
  };
  return be;
}

const everything: [string, () => Transform<unknown>][] = [
  ['sgd', () => sgd(0.1, { weightDecay: 0.1 })],
  ['momentum', () => momentum(0.1, 0.9, { dampening: 0.1 })],
  ['nesterov', () => nesterov(0.1)],
  ['adam', () => adam()],
  ['amsgrad', () => amsgrad()],
  ['adamw', () => adamw()],
  ['adamax', () => adamax()],
  ['rmsprop', () => rmsprop(1e-2, { centered: true, momentum: 0.9 })],
  ['adagrad', () => adagrad(1e-2, { lrDecay: 0.1 })],
  ['adadelta', () => adadelta()],
  [
    'everything at once',
    () => multiSteps(applyIfFinite(chain(clipByGlobalNorm(1), clipByNorm(1), clipByValue(1), adamw(warmupCosine({ peak: 1e-2, warmupSteps: 3, decaySteps: 10 })))), { every: 2 }),
  ],
];

describe('update stays on the device and frees its temporaries', () => {
  for (const [name, make] of everything) {
    it(`${name}: no read-back, and live handles stay flat over 40 steps`, () => {
      const be = noReadBackend();
      const t = make();
      let p: ParamTree = { w: tensor(be, [1, -2, 3], [3], 'f32'), b: [tensor(be, [0.5, 0.25, 0, 1], [2, 2], 'f32')] };
      let state = t.init(p);
      const start = be.stats().liveHandles;
      for (let i = 0; i < 40; i++) {
        const g = { w: tensor(be, [i % 5 === 4 ? NaN : 0.1 * i, -0.2, 0.3], [3], 'f32'), b: [tensor(be, [1, -1, 0.5, i], [2, 2], 'f32')] };
        const [u, next] = t.update(g, state, p);
        p = applyUpdates(p, u, { donate: true });
        disposeState([g, state]);
        state = next;
        expect(be.stats().liveHandles, `live handles after step ${i + 1}`).toBe(start);
      }
      expect(be.reads).toBe(0);
      disposeState([p, state]);
      expect(be.stats().liveHandles).toBe(0);
    });
  }
});

describe('typed states and counters', () => {
  it('scaleByAdam keeps a 0-d i32 step count', async () => {
    const p = { w: f64([1]) };
    const t = scaleByAdam();
    const s = t.init(p);
    expect([s.count.dtype, s.count.shape]).toEqual(['i32', []]);
    const [u, next] = t.update({ w: f64([1]) }, s, p);
    expect(await next.count.item()).toBe(1);
    disposeState([s, next, u, p]);
  });
  it('works in f32', async () => {
    const u = await once(adam(0.1), { w: tensor(backend, [1, -1], [2], 'f32') }, { w: tensor(backend, [0, 0], [2], 'f32') });
    // Bias corrections are computed in f32 here (torch uses Python doubles): 1 − 0.999 is off by ~1e-5 relative.
    expect(Math.abs(u.w![0]! + 0.1)).toBeLessThan(1e-5);
    expect(Math.abs(u.w![1]! - 0.1)).toBeLessThan(1e-5);
  });
  it('scalar parameters work', async () => {
    const u = await once(sgd(0.5), { x: scalar(backend, 2, 'f64') }, { x: scalar(backend, 1, 'f64') });
    expect(u).toEqual({ x: [-1] });
  });
});
