import { createCpuBackend } from '@rnnkit/backend-cpu';
import type { Backend, DType, Handle, SequenceArgs, SequenceBackward, SequenceForward, View } from '@rnnkit/tensor';
import { contiguousStrides, createRng } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

type Kind = 'rnn-tanh' | 'rnn-relu' | 'lstm' | 'gru-after' | 'gru-before';
const KINDS: readonly Kind[] = ['rnn-tanh', 'rnn-relu', 'lstm', 'gru-after', 'gru-before'];
const gates = (k: Kind): number => (k === 'lstm' ? 4 : k.startsWith('gru') ? 3 : 1);
// f32 on the GPU against the CPU reference computing in f64.
const TOL = { rtol: 2e-4, atol: 2e-5, atolOfMax: 2e-5 };

interface Host {
  xProj: Float64Array; h0: Float64Array; c0: Float64Array; wHh: Float64Array; bHh: Float64Array;
  dhs: Float64Array; dhT: Float64Array; dcT: Float64Array; lengths?: Int32Array;
}

function draw(n: number, seed: string, scale = 1): Float64Array {
  const rng = createRng(7).fork(seed);
  return Float64Array.from({ length: n }, () => (rng.nextFloat() * 2 - 1) * scale);
}

function view(h: Handle, dtype: DType, shape: number[]): View {
  return { handle: h, dtype, shape, strides: contiguousStrides(shape), offset: 0 };
}

interface Run { fwd: Record<string, Float32Array | Float64Array>; bwd: Record<string, Float32Array | Float64Array> }

async function run(be: Backend, dtype: DType, kind: Kind, T: number, B: number, H: number, host: Host, reverse: boolean, grads: { dhs: boolean; dhT: boolean; dcT: boolean }): Promise<Run> {
  const G = gates(kind);
  const up = (d: Float64Array, shape: number[]) => view(be.upload(dtype === 'f32' ? Float32Array.from(d) : d, dtype), dtype, shape);
  const xProj = up(host.xProj, [T, B, G * H]);
  const h0 = up(host.h0, [B, H]);
  const c0 = up(host.c0, [B, H]);
  const wHh = up(host.wHh, [G * H, H]);
  const bHh = up(host.bHh, [G * H]);
  const lengths = host.lengths ? view(be.upload(host.lengths, 'i32'), 'i32', [B]) : undefined;
  const args: SequenceArgs = { xProj, h0, wHh, bHh, options: { lengths, reverse } };
  const f = be.fused!;
  let fwd: SequenceForward;
  if (kind === 'lstm') fwd = f.lstmSequence!({ ...args, c0 });
  else if (kind.startsWith('gru')) fwd = f.gruSequence!(args, kind === 'gru-after');
  else fwd = f.rnnSequence!(args, kind === 'rnn-tanh' ? 'tanh' : 'relu');
  const dhs = grads.dhs ? up(host.dhs, [T, B, H]) : undefined;
  const dhT = grads.dhT ? up(host.dhT, [B, H]) : undefined;
  const dcT = grads.dcT && kind === 'lstm' ? up(host.dcT, [B, H]) : undefined;
  const g = { dhs, dhT, dcT, wantStateGrads: true };
  let bwd: SequenceBackward;
  if (kind === 'lstm') bwd = f.lstmSequenceBackward!({ ...args, c0 }, fwd, g);
  else if (kind.startsWith('gru')) bwd = f.gruSequenceBackward!(args, fwd, g, kind === 'gru-after');
  else bwd = f.rnnSequenceBackward!(args, fwd, g, kind === 'rnn-tanh' ? 'tanh' : 'relu');
  const read = async (h: Handle | undefined, shape: number[]) => (h === undefined ? undefined : ((await be.read(view(h, dtype, shape))) as Float32Array));
  const out: Run = { fwd: {}, bwd: {} };
  const put = (rec: Record<string, Float32Array | Float64Array>, k: string, v: Float32Array | undefined) => { if (v) rec[k] = v; };
  put(out.fwd, 'hs', await read(fwd.hs, [T, B, H]));
  put(out.fwd, 'hT', await read(fwd.hT, [B, H]));
  put(out.fwd, 'cT', await read(fwd.cT, [B, H]));
  put(out.bwd, 'dxProj', await read(bwd.dxProj, [T, B, G * H]));
  put(out.bwd, 'dh0', await read(bwd.dh0, [B, H]));
  put(out.bwd, 'dc0', await read(bwd.dc0, [B, H]));
  put(out.bwd, 'dWhh', await read(bwd.dWhh, [G * H, H]));
  put(out.bwd, 'dbHh', await read(bwd.dbHh, [G * H]));
  put(out.bwd, 'dhs', await read(bwd.dhs, [T, B, H]));
  put(out.bwd, 'dcs', await read(bwd.dcs, [T, B, H]));
  for (const h of [fwd.hs, fwd.hT, fwd.cT, ...fwd.saved, bwd.dxProj, bwd.dh0, bwd.dc0, bwd.dWhh, bwd.dbHh, bwd.dhs, bwd.dcs]) if (h) be.free(h);
  for (const v of [xProj, h0, c0, wHh, bHh, lengths, dhs, dhT, dcT]) if (v) be.free(v.handle);
  return out;
}

describe('fused sequence kernels on WebGPU match the CPU reference', () => {
  let gpu: WebGpuBackend | null = null;
  const cpu = createCpuBackend();
  beforeAll(async () => {
    gpu = await gpuBackend();
  });
  afterAll(() => gpu?.destroy());
  const need = (ctx: TestContext): WebGpuBackend => gpu ?? ctx.skip('no WebGPU adapter here');

  const T = 5;
  const H = 5;
  // On a software adapter a thread owns 1, 2, 4 or 8 batch rows (B = 1, 3, 5, 11; the last three leave a ragged block).
  const CASES = [
    { title: 'full length', B: 3, lengths: undefined, reverse: false },
    { title: 'variable lengths', B: 3, lengths: Int32Array.of(5, 2, 0), reverse: false },
    { title: 'reverse with lengths', B: 3, lengths: Int32Array.of(3, 5, 1), reverse: true },
    { title: 'B = 1, reverse', B: 1, lengths: undefined, reverse: true },
    { title: 'B = 5, variable lengths', B: 5, lengths: Int32Array.of(5, 0, 3, 5, 1), reverse: false },
    { title: 'B = 11, variable lengths', B: 11, lengths: Int32Array.of(5, 2, 0, 4, 5, 1, 3, 5, 0, 2, 5), reverse: false },
    { title: 'B = 11, reverse with lengths', B: 11, lengths: Int32Array.of(3, 5, 1, 0, 5, 2, 4, 5, 5, 1, 3), reverse: true },
  ];
  for (const kind of KINDS) {
    for (const c of CASES) {
      const { B } = c;
      it(`${kind}: ${c.title}, forward and backward (dhs, dhT${kind === 'lstm' ? ', dcT' : ''}; state grads)`, async (ctx) => {
        const be = need(ctx);
        const G = gates(kind);
        const host: Host = {
          xProj: draw(T * B * G * H, `${kind}x`), h0: draw(B * H, `${kind}h0`, 0.5), c0: draw(B * H, `${kind}c0`, 0.5),
          wHh: draw(G * H * H, `${kind}w`, 0.6), bHh: draw(G * H, `${kind}b`, 0.3), dhs: draw(T * B * H, `${kind}dhs`),
          dhT: draw(B * H, `${kind}dhT`), dcT: draw(B * H, `${kind}dcT`), ...(c.lengths ? { lengths: c.lengths } : {}),
        };
        const before = be.stats().liveHandles;
        const grads = { dhs: true, dhT: true, dcT: true };
        const got = await run(be, 'f32', kind, T, B, H, host, c.reverse, grads);
        const want = await run(cpu, 'f64', kind, T, B, H, host, c.reverse, grads);
        expect(Object.keys(got.fwd).sort()).toEqual(Object.keys(want.fwd).sort());
        expect(Object.keys(got.bwd).sort()).toEqual(Object.keys(want.bwd).sort());
        for (const k of Object.keys(want.fwd)) expectClose(got.fwd[k]!, want.fwd[k]!, TOL, `${kind} ${c.title} forward ${k}`);
        for (const k of Object.keys(want.bwd)) expectClose(got.bwd[k]!, want.bwd[k]!, TOL, `${kind} ${c.title} backward ${k}`);
        expect(be.stats().liveHandles).toBe(before);
      });
    }
  }

  it('absent cotangents count as zero (only dhT given)', async (ctx) => {
    const be = need(ctx);
    const B = 3;
    const host: Host = {
      xProj: draw(T * B * 4 * H, 'ax'), h0: draw(B * H, 'ah0'), c0: draw(B * H, 'ac0'), wHh: draw(4 * H * H, 'aw', 0.5), bHh: draw(4 * H, 'ab'),
      dhs: draw(T * B * H, 'adhs'), dhT: draw(B * H, 'adhT'), dcT: draw(B * H, 'adcT'),
    };
    const grads = { dhs: false, dhT: true, dcT: false };
    const got = await run(be, 'f32', 'lstm', T, B, H, host, false, grads);
    const want = await run(cpu, 'f64', 'lstm', T, B, H, host, false, grads);
    for (const k of Object.keys(want.bwd)) expectClose(got.bwd[k]!, want.bwd[k]!, TOL, `lstm backward ${k}`);
  });

  it('dispatches per step: 1 forward and 1 backward (2 and 2 for the reset-before GRU)', async (ctx) => {
    const be = need(ctx);
    const counts: Record<string, number> = {};
    for (const kind of KINDS) {
      const G = gates(kind);
      const host: Host = {
        xProj: draw(20 * 2 * G * 8, 'dx'), h0: draw(2 * 8, 'dh'), c0: draw(2 * 8, 'dc'), wHh: draw(G * 64, 'dw', 0.3), bHh: draw(G * 8, 'db'),
        dhs: draw(20 * 2 * 8, 'dd'), dhT: draw(16, 'dt'), dcT: draw(16, 'dct'),
      };
      const per = async (T: number) => {
        const start = be.gpuStats().dispatches;
        await run(be, 'f32', kind, T, 2, 8, host, false, { dhs: true, dhT: true, dcT: true });
        return be.gpuStats().dispatches - start;
      };
      const d10 = await per(10);
      const d20 = await per(20);
      counts[kind] = (d20 - d10) / 10;
    }
    console.log('dispatches per train step (forward + backward), by cell:', JSON.stringify(counts));
    for (const kind of KINDS) expect(counts[kind]).toBe(kind === 'gru-before' ? 4 : 2);
  });
});
