import { scalar, tensor, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { adamw, applyUpdates, chain, clipByGlobalNorm, deserializeState, disposeState, serializeState, warmupCosine } from '../src/index.js';
import { backend, readTree } from './helpers.js';

describe('serializeState / deserializeState', () => {
  it('round-trips every bit (NaN, −0, f64, i32, bool) through JSON', async () => {
    const state = {
      a: tensor(backend, [NaN, -0, 1e-310, Math.PI], [2, 2], 'f64'),
      b: tensor(backend, [0.1, -Infinity], [2], 'f32'),
      c: scalar(backend, 7, 'i32'),
      d: scalar(backend, 1, 'bool'),
      plain: { n: -0, inf: Infinity, s: 'x', list: [1, null, true] },
    };
    const data = JSON.parse(JSON.stringify(await serializeState(state))) as unknown;
    const back = deserializeState<typeof state>(data, backend);
    expect(back.a).toBeInstanceOf(Tensor);
    expect([back.a.dtype, back.a.shape, back.c.dtype, back.d.dtype]).toEqual(['f64', [2, 2], 'i32', 'bool']);
    const got = await readTree({ a: back.a, b: back.b, c: back.c, d: back.d });
    const want = await readTree({ a: state.a, b: state.b, c: state.c, d: state.d });
    for (const k of Object.keys(want)) want[k]!.forEach((v, i) => expect(Object.is(got[k]![i], v), `${k}[${i}]`).toBe(true));
    expect(Object.is(back.plain.n, -0)).toBe(true);
    expect(back.plain).toEqual(state.plain);
    disposeState([state, back]);
  });
  it('resumes a training run bit for bit, schedule position included', async () => {
    const opt = chain(clipByGlobalNorm(1), adamw(warmupCosine({ peak: 0.1, warmupSteps: 2, decaySteps: 8 })));
    const grads = (i: number) => ({ w: tensor(backend, [Math.sin(i), Math.cos(i), 2], [3], 'f64') });
    const step = (p: { w: Tensor }, s: ReturnType<typeof opt.init>, i: number) => {
      const g = grads(i);
      const [u, next] = opt.update(g, s, p);
      disposeState(g);
      return [applyUpdates(p, u, { donate: true }), next] as const;
    };
    let p = { w: tensor(backend, [1, 2, 3], [3], 'f64') };
    let s = opt.init(p);
    for (let i = 0; i < 3; i++) {
      const [p2, s2] = step(p, s, i);
      disposeState(s);
      [p, s] = [p2, s2];
    }
    const saved = JSON.stringify({ params: await serializeState(p), opt: await serializeState(s) });
    const loaded = JSON.parse(saved) as { params: unknown; opt: unknown };
    let [pa, sa] = [p, s];
    let pb = deserializeState<typeof p>(loaded.params, backend);
    let sb = deserializeState<typeof s>(loaded.opt, backend);
    for (let i = 3; i < 8; i++) {
      const [pa2, sa2] = step(pa, sa, i);
      const [pb2, sb2] = step(pb, sb, i);
      disposeState([sa, sb]);
      [pa, sa, pb, sb] = [pa2, sa2, pb2, sb2];
    }
    expect(await readTree(pb)).toEqual(await readTree(pa));
    expect(await serializeState(sb)).toEqual(await serializeState(sa));
    disposeState([pa, sa, pb, sb]);
  });
  it('records the optimiser name, or null for an unnamed chain', async () => {
    const p = { w: scalar(backend, 1, 'f64') };
    const named = adamw().init(p);
    const unnamed = chain(clipByGlobalNorm(1)).init(p);
    expect((await serializeState(named)).optimizer).toBe('adamw');
    expect((await serializeState(unnamed)).optimizer).toBeNull();
    disposeState([p, named, unnamed]);
  });
  it('names what it cannot store', async () => {
    await expect(serializeState({ f: () => 1 })).rejects.toThrow(/state entry 'f' is a function; states may hold only tensors/);
  });
});
