import { RnnkitError } from '@rnnkit/tensor';
import type { FusedKernels, SequenceArgs, SequenceBackward, SequenceForward, SequenceGrads, View } from '@rnnkit/tensor';
import type { GpuContext, Recorder } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { isContiguous } from '../internal/layout.js';
import { recordMap } from '../kernels/map.js';
import { recordMatmul, type MatmulVariant } from '../kernels/matmul.js';
import { recordReduce } from '../kernels/reduce.js';
import { adamStep } from './adam.js';
import { backwardShader, forwardShader, passesOf, W, type CellKind } from './shaders.js';

type Check = (op: string, ...views: readonly View[]) => void;
type Args = SequenceArgs<WebGpuHandle> & { readonly c0?: View<WebGpuHandle> };

interface Sizes {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly G: number;
  readonly GH: number;
}

/** Element offsets of the saved buffer's sections (the one opaque `saved` handle). */
function savedLayout(kind: CellKind, { T, B, H, GH }: Sizes) {
  const TBH = T * B * H;
  let at = 0;
  const take = (n: number): number => ((at += n), at - n);
  const gates = kind.startsWith('rnn') ? 0 : take(T * B * GH);
  const offsets = {
    gates,
    hPrev: take(TBH),
    cPrev: kind === 'lstm' ? take(TBH) : 0,
    c: kind === 'lstm' ? take(TBH) : 0,
    extra: kind === 'lstm' ? 0 : take(TBH),
    hT: take(B * H),
    cT: kind === 'lstm' ? take(B * H) : 0,
  };
  return { offsets, total: at };
}

function sizesOf(args: Args): Sizes {
  const [T, B, GH] = args.xProj.shape as [number, number, number];
  const H = args.h0.shape[1]!;
  return { T, B, H, G: GH / H, GH };
}

/** A view of `n` contiguous elements of `h` at `offset`. */
function flat(h: WebGpuHandle, offset: number, shape: readonly number[], strides?: readonly number[]): View<WebGpuHandle> {
  const st = strides ?? shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  return { handle: h, dtype: 'f32', shape, strides: st, offset };
}

/**
 * The whole-sequence kernels: one command buffer per call, all steps recorded back to back with
 * no host round trip. Per step: 1 dispatch forward and 1 backward (2 and 2 for the reset-before GRU,
 * whose n rows need r first). dWhh is one GEMM over all T·B rows at the end, dbHh one reduction.
 */
export function createFusedKernels(ctx: GpuContext, check: Check, variant: MatmulVariant): Required<Omit<FusedKernels<WebGpuHandle>, 'crossEntropy' | 'crossEntropyBackward' | 'matmulBias'>> {
  /** Copies a view into `dst` at element `offset` (contiguous), or clears the range when absent. */
  const pack = (rec: Recorder, op: string, dst: WebGpuHandle, offset: number, v: View<WebGpuHandle> | undefined, n: number): void => {
    if (v === undefined) {
      rec.clear(dst.buffer, offset * 4, n * 4);
      return;
    }
    if (isContiguous(v)) {
      // A plain byte copy: no dispatch.
      rec.copy(v.handle.buffer, v.offset * 4, dst.buffer, offset * 4, v.shape.reduce((a, b) => a * b, 1) * 4);
      return;
    }
    const strides = v.shape.map((_, i) => v.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    recordMap(ctx, rec, op, { kind: 'copy' }, v.shape, { handle: dst, layout: { offset, strides } }, [{ handle: v.handle, dtype: v.dtype, layout: v }]);
  };

  /** One 256-byte uniform slot per step (plus one), all sharing `base` but for the step word. */
  const stepUniforms = (base: Int32Array, slots: number): { buffer: GPUBuffer; at: (slot: number, s: number) => { buffer: GPUBuffer; offset: number; size: number } } => {
    const stride = ctx.uniformAlign;
    const words = new Int32Array((slots * stride) / 4);
    for (let i = 0; i < slots; i++) words.set(base, (i * stride) / 4);
    const buffer = ctx.device.createBuffer({ size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    const at = (slot: number, s: number) => {
      words[(slot * stride) / 4 + W.S] = s;
      return { buffer, offset: slot * stride, size: 256 };
    };
    return {
      buffer,
      at: (slot, s) => {
        const r = at(slot, s);
        ctx.device.queue.writeBuffer(buffer, slot * stride, words.buffer, slot * stride, 256);
        return r;
      },
    };
  };

  /**
   * Batch rows a sequence-kernel thread owns. On a software adapter loads, not arithmetic, bound
   * the recurrent matvec, and a thread over 8 rows reads each weight word once for all 8; a GPU
   * keeps one row a thread for parallelism.
   */
  const blockRows = (B: number): number => (!ctx.software ? 1 : B >= 8 ? 8 : B >= 4 ? 4 : B >= 2 ? 2 : 1);

  const requireF32 = (op: string, args: Args): void => {
    for (const v of [args.xProj, args.h0, args.wHh, args.bHh, args.c0]) {
      if (v !== undefined && v.dtype !== 'f32') throw new RnnkitError(`${op}: the WebGPU sequence kernels compute in f32, got ${v.dtype}.`);
    }
    if (args.options.lengths !== undefined && args.options.lengths.dtype !== 'i32') throw new RnnkitError(`${op}: lengths must be i32.`);
  };

  const views = (args: Args): View[] => [args.xProj, args.h0, args.wHh, args.bHh, ...(args.c0 ? [args.c0] : []), ...(args.options.lengths ? [args.options.lengths] : [])];

  function forward(op: string, kind: CellKind, args: Args): SequenceForward<WebGpuHandle> {
    check(op, ...views(args));
    requireF32(op, args);
    const z = sizesOf(args);
    const { T, B, H, GH } = z;
    const lstm = kind === 'lstm';
    const inLen = { w: 0, bias: H * GH, len: H * GH + GH, h0: H * GH + GH + B, c0: H * GH + GH + B + B * H };
    const inTotal = inLen.c0 + (lstm ? B * H : 0);
    const sl = savedLayout(kind, z);
    const hs = ctx.alloc(op, T * B * H);
    const sv = ctx.alloc(op, sl.total);
    const hT = ctx.alloc(op, B * H);
    const cT = lstm ? ctx.alloc(op, B * H) : undefined;
    const inp = ctx.alloc(op, inTotal);
    const xContig = isContiguous(args.xProj);
    const xp = xContig ? args.xProj.handle : ctx.alloc(op, T * B * GH);
    const base = new Int32Array(64);
    base[W.T] = T; base[W.B] = B; base[W.H] = H; base[W.REV] = args.options.reverse === true ? 1 : 0;
    base[W.XOFF] = xContig ? args.xProj.offset : 0;
    base[W.IN_W] = inLen.w; base[W.IN_BIAS] = inLen.bias; base[W.IN_LEN] = inLen.len; base[W.IN_H0] = inLen.h0; base[W.IN_C0] = inLen.c0;
    base[W.SV_GATES] = sl.offsets.gates; base[W.SV_HPREV] = sl.offsets.hPrev; base[W.SV_CPREV] = sl.offsets.cPrev; base[W.SV_C] = sl.offsets.c;
    base[W.SV_X] = sl.offsets.extra; base[W.SV_HT] = sl.offsets.hT; base[W.SV_CT] = sl.offsets.cT;
    let uniforms: ReturnType<typeof stepUniforms> | undefined;
    try {
      for (const h of [xp, inp, hs, sv]) {
        if (h.length * 4 > ctx.maxBinding) throw new RnnkitError(`${op}: a sequence buffer (${h.length * 4} bytes) exceeds the storage binding limit (${ctx.maxBinding} bytes); split the sequence into shorter segments or smaller batches.`);
      }
      uniforms = stepUniforms(base, Math.max(1, T));
      const u = uniforms;
      const passes = passesOf(kind);
      const bb = blockRows(B);
      const pipes = Array.from({ length: passes }, (_, p) => ctx.pipeline(`seq:${kind}:fwd${p}:bb${bb}`, () => forwardShader(kind, p, ctx.wg, bb)));
      ctx.submit(op, (rec) => {
        rec.clear(hs.buffer, 0, hs.length * 4);
        rec.clear(sv.buffer, 0, sv.length * 4);
        if (!xContig) pack(rec, op, xp, 0, args.xProj, 0);
        // Wᵀ [H, GH]: the recurrent weight read column-wise, so threads j, j+1 read adjacent words.
        const w = args.wHh;
        pack(rec, op, inp, inLen.w, { ...w, shape: [w.shape[1]!, w.shape[0]!], strides: [w.strides[1]!, w.strides[0]!] }, 0);
        pack(rec, op, inp, inLen.bias, args.bHh, 0);
        if (args.options.lengths) pack(rec, op, inp, inLen.len, args.options.lengths, 0);
        else recordMap(ctx, rec, op, { kind: 'fill' }, [B], { handle: inp, layout: { offset: inLen.len, strides: [1] } }, [], T);
        pack(rec, op, inp, inLen.h0, args.h0, 0);
        if (lstm) pack(rec, op, inp, inLen.c0, args.c0, 0);
        // hT/cT start as h0/c0 (sequences of length 0 keep them); the last valid step overwrites.
        rec.copy(inp.buffer, inLen.h0 * 4, sv.buffer, sl.offsets.hT * 4, B * H * 4);
        if (lstm) rec.copy(inp.buffer, inLen.c0 * 4, sv.buffer, sl.offsets.cT * 4, B * H * 4);
        const bindings = [
          { buffer: xp.buffer, size: Math.max(1, xp.length) * 4 },
          { buffer: inp.buffer, size: Math.max(1, inp.length) * 4 },
          { buffer: hs.buffer, size: Math.max(1, hs.length) * 4 },
          { buffer: sv.buffer, size: Math.max(1, sv.length) * 4 },
        ];
        const groups = ctx.groups(Math.ceil(B / bb) * H);
        if (B * H > 0) {
          for (let s = 0; s < T; s++) {
            const slot = u.at(s, s);
            for (const p of pipes) rec.dispatch(p, slot, bindings, groups);
          }
        }
        rec.copy(sv.buffer, sl.offsets.hT * 4, hT.buffer, 0, B * H * 4);
        if (cT) rec.copy(sv.buffer, sl.offsets.cT * 4, cT.buffer, 0, B * H * 4);
      });
    } catch (e) {
      for (const h of [hs, sv, hT, ...(cT ? [cT] : [])]) ctx.free(h);
      throw e;
    } finally {
      ctx.free(inp);
      if (!xContig) ctx.free(xp);
      uniforms?.buffer.destroy();
    }
    return { hs, hT, ...(cT ? { cT } : {}), saved: [sv] };
  }

  function backward(op: string, kind: CellKind, args: Args, fwd: SequenceForward<WebGpuHandle>, grads: SequenceGrads<WebGpuHandle>): SequenceBackward<WebGpuHandle> {
    const gv = [grads.dhs, grads.dhT, grads.dcT].filter((v): v is View<WebGpuHandle> => v !== undefined);
    check(op, ...views(args), ...gv);
    requireF32(op, args);
    const sv = fwd.saved[0];
    if (sv === undefined || sv.freed || fwd.saved.length !== 1) throw new RnnkitError(`${op}: \`saved\` must be the live saved handle of this backend's forward call.`);
    const z = sizesOf(args);
    const { T, B, H, GH } = z;
    const lstm = kind === 'lstm';
    const after = kind === 'gru-after';
    const TBH = T * B * H;
    const sl = savedLayout(kind, z);
    const inL = { w: 0, len: GH * H, dhs: GH * H + B, dhT: GH * H + B + TBH, dcT: GH * H + B + TBH + B * H };
    const inTotal = inL.dcT + B * H;
    let at = 0;
    const take = (n: number): number => ((at += n), at - n);
    const wkL = { dh: take(B * H), dc: take(B * H), dhs: take(TBH), dcs: take(TBH), dx: after ? take(T * B * GH) : 0, dh0: take(B * H), dc0: take(B * H), dhCur: take(B * H) };
    const inp = ctx.alloc(op, inTotal);
    const wk = ctx.alloc(op, at);
    const dG = ctx.alloc(op, T * B * GH);
    const dx = after ? ctx.alloc(op, T * B * GH) : dG;
    const dh0 = ctx.alloc(op, B * H);
    const dc0 = lstm ? ctx.alloc(op, B * H) : undefined;
    const dW = ctx.alloc(op, GH * H);
    const db = ctx.alloc(op, GH);
    const want = grads.wantStateGrads === true;
    const dhs = want ? ctx.alloc(op, TBH) : undefined;
    const dcs = want && lstm ? ctx.alloc(op, TBH) : undefined;
    const outputs = [dx, dh0, dW, db, ...(after ? [dG] : []), ...(dc0 ? [dc0] : []), ...(dhs ? [dhs] : []), ...(dcs ? [dcs] : [])];
    const base = new Int32Array(64);
    base[W.T] = T; base[W.B] = B; base[W.H] = H; base[W.REV] = args.options.reverse === true ? 1 : 0;
    base[W.IN_W] = inL.w; base[W.IN_LEN] = inL.len; base[W.IN_DHS] = inL.dhs; base[W.IN_DHT] = inL.dhT; base[W.IN_DCT] = inL.dcT;
    base[W.SV_GATES] = sl.offsets.gates; base[W.SV_HPREV] = sl.offsets.hPrev; base[W.SV_CPREV] = sl.offsets.cPrev; base[W.SV_C] = sl.offsets.c;
    base[W.SV_X] = sl.offsets.extra;
    base[W.WK_DH] = wkL.dh; base[W.WK_DC] = wkL.dc; base[W.WK_DHS] = wkL.dhs; base[W.WK_DCS] = wkL.dcs; base[W.WK_DX] = wkL.dx;
    base[W.WK_DH0] = wkL.dh0; base[W.WK_DC0] = wkL.dc0; base[W.WK_DHCUR] = wkL.dhCur;
    let uniforms: ReturnType<typeof stepUniforms> | undefined;
    try {
      for (const h of [inp, wk, dG, sv]) {
        if (h.length * 4 > ctx.maxBinding) throw new RnnkitError(`${op}: a sequence buffer (${h.length * 4} bytes) exceeds the storage binding limit (${ctx.maxBinding} bytes); split the sequence into shorter segments or smaller batches.`);
      }
      uniforms = stepUniforms(base, T + 1);
      const u = uniforms;
      const passes = passesOf(kind);
      // Pass 0 blocks batch rows; the reset-before GRU's pass 1 takes one (b, j) a thread.
      const bb = blockRows(B);
      const pipes = Array.from({ length: passes }, (_, p) => ctx.pipeline(`seq:${kind}:bwd${p}:bb${p === 0 ? bb : 1}`, () => backwardShader(kind, p, ctx.wg, p === 0 ? bb : 1)));
      const fin = ctx.pipeline(`seq:${kind}:bwdfin`, () => backwardShader(kind, 2, ctx.wg));
      ctx.submit(op, (rec) => {
        rec.clear(wk.buffer, 0, wk.length * 4);
        rec.clear(dG.buffer, 0, dG.length * 4);
        pack(rec, op, inp, inL.w, args.wHh, 0);
        if (args.options.lengths) pack(rec, op, inp, inL.len, args.options.lengths, 0);
        else recordMap(ctx, rec, op, { kind: 'fill' }, [B], { handle: inp, layout: { offset: inL.len, strides: [1] } }, [], T);
        pack(rec, op, inp, inL.dhs, grads.dhs, TBH);
        // The carries start as the cotangents of the final state.
        pack(rec, op, wk, wkL.dh, grads.dhT, B * H);
        if (lstm) pack(rec, op, wk, wkL.dc, grads.dcT, B * H);
        const bindings = [
          { buffer: inp.buffer, size: Math.max(1, inp.length) * 4 },
          { buffer: sv.buffer, size: Math.max(1, sv.length) * 4 },
          { buffer: dG.buffer, size: Math.max(1, dG.length) * 4 },
          { buffer: wk.buffer, size: Math.max(1, wk.length) * 4 },
        ];
        const groups = ctx.groups(B * H);
        const blocked = ctx.groups(Math.ceil(B / bb) * H);
        if (B * H > 0) {
          for (let s = T - 1; s >= 0; s--) {
            const slot = u.at(s, s);
            pipes.forEach((p, i) => rec.dispatch(p, slot, bindings, i === 0 ? blocked : groups));
          }
          rec.dispatch(fin, u.at(T, 0), bindings, groups);
        }
        // dWhh = dGᵀ · X over all T·B rows (X = h_prev, or r ⊙ h_prev for the n rows of the reset-before GRU).
        const TB = T * B;
        const dGt = (g0: number, rows: number) => flat(dG, g0, [rows, TB], [1, GH]);
        if (TB === 0) rec.clear(dW.buffer, 0, dW.length * 4);
        else if (kind === 'gru-before') {
          recordMatmul(ctx, rec, variant, dGt(0, 2 * H), flat(sv, sl.offsets.hPrev, [TB, H]), { handle: dW, offset: 0 });
          recordMatmul(ctx, rec, variant, dGt(2 * H, H), flat(sv, sl.offsets.extra, [TB, H]), { handle: dW, offset: 2 * H * H });
        } else {
          recordMatmul(ctx, rec, variant, dGt(0, GH), flat(sv, sl.offsets.hPrev, [TB, H]), { handle: dW, offset: 0 });
        }
        if (TB === 0) rec.clear(db.buffer, 0, db.length * 4);
        else recordReduce(ctx, rec, 'sum', flat(dG, 0, [TB, GH]), [0], db);
        rec.copy(wk.buffer, wkL.dh0 * 4, dh0.buffer, 0, B * H * 4);
        if (dc0) rec.copy(wk.buffer, wkL.dc0 * 4, dc0.buffer, 0, B * H * 4);
        if (after) rec.copy(wk.buffer, wkL.dx * 4, dx.buffer, 0, T * B * GH * 4);
        if (dhs) rec.copy(wk.buffer, wkL.dhs * 4, dhs.buffer, 0, TBH * 4);
        if (dcs) rec.copy(wk.buffer, wkL.dcs * 4, dcs.buffer, 0, TBH * 4);
      });
    } catch (e) {
      for (const h of outputs) ctx.free(h);
      throw e;
    } finally {
      ctx.free(inp);
      ctx.free(wk);
      uniforms?.buffer.destroy();
    }
    if (after) ctx.free(dG);
    return {
      dxProj: dx,
      dh0,
      ...(dc0 ? { dc0 } : {}),
      dWhh: dW,
      dbHh: db,
      ...(dhs ? { dhs } : {}),
      ...(dcs ? { dcs } : {}),
    };
  }

  const rnnKind = (a: 'tanh' | 'relu'): CellKind => (a === 'tanh' ? 'rnn-tanh' : 'rnn-relu');
  const gruKind = (after: boolean): CellKind => (after ? 'gru-after' : 'gru-before');
  return {
    rnnSequence: (args, activation) => forward('rnnSequence', rnnKind(activation), args),
    rnnSequenceBackward: (args, fwd, grads, activation) => backward('rnnSequenceBackward', rnnKind(activation), args, fwd, grads),
    lstmSequence: (args) => forward('lstmSequence', 'lstm', args),
    lstmSequenceBackward: (args, fwd, grads) => backward('lstmSequenceBackward', 'lstm', args, fwd, grads),
    gruSequence: (args, resetAfter) => forward('gruSequence', gruKind(resetAfter), args),
    gruSequenceBackward: (args, fwd, grads, resetAfter) => backward('gruSequenceBackward', gruKind(resetAfter), args, fwd, grads),
    adamStep: (args) => adamStep(ctx, check, args),
  };
}
