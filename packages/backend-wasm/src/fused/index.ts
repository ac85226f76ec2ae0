import { checkAdamStepArgs, checkMatmulBiasArgs, RnnkitError } from '@rnnkit/tensor';
import type { FusedKernels, SequenceBackward, SequenceForward, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import { matmulBias } from '../matmul.js';
import type { Memory } from '../memory.js';
import { adamStep } from './adam.js';
import type { Args, BackwardArrays, ForwardArrays, Saved } from './common.js';
import { crossEntropy, crossEntropyBackward } from './cross-entropy.js';
import { gruBackward, gruForward } from './gru.js';
import { lstmBackward, lstmForward } from './lstm.js';
import { rnnBackward, rnnForward } from './rnn.js';

type EngineFor = (view: View<WasmHandle>) => Engine;

function wrapForward(memory: Memory, e: Engine, f: ForwardArrays): SequenceForward<WasmHandle> {
  const track = (data: TypedArray) => memory.track(data);
  // A saved handle owns its pinned block: freeing it unpins (backend.free), and stats count its bytes.
  const savedHandle = (s: Saved): WasmHandle =>
    ArrayBuffer.isView(s) ? track(s) : memory.adopt({ data: new Float32Array(0), pinned: { engine: e, ptr: s.ptr } }, s.n * e.elementBytes);
  return {
    hs: memory.result(f.hs), hT: track(f.hT), ...(f.cT === undefined ? {} : { cT: track(f.cT) }), saved: f.saved.map(savedHandle),
  };
}

function wrapBackward(memory: Memory, g: BackwardArrays): SequenceBackward<WasmHandle> {
  const track = (data: TypedArray) => memory.track(data);
  return {
    dxProj: memory.result(g.dxProj), dh0: track(g.dh0), ...(g.dc0 === undefined ? {} : { dc0: track(g.dc0) }),
    dWhh: track(g.dWhh), dbHh: track(g.dbHh),
    ...(g.dhs === undefined ? {} : { dhs: track(g.dhs) }), ...(g.dcs === undefined ? {} : { dcs: track(g.dcs) }),
  };
}

/** A forward's saved activations (engine addresses of pinned blocks, or host copies), checked to be alive and this engine's. */
function savedOf(memory: Memory, e: Engine, op: string, fwd: SequenceForward<WasmHandle>): (number | TypedArray)[] {
  if (fwd.saved.length === 0) throw new RnnkitError(`${op}: the forward ran with forwardOnly and kept nothing to differentiate; run it with forwardOnly false.`);
  return fwd.saved.map((h) => {
    memory.check(h, op);
    if (!h.pinned) return h.data;
    if (h.pinned.engine !== e) throw new RnnkitError(`${op}: the saved activations are not from this backend's ${e.elementBytes === 4 ? 'f32' : 'f64'} forward; pass the forward result of the same backend and dtype.`);
    return h.pinned.ptr;
  });
}

/** The whole-sequence kernels; `engineFor` picks WebAssembly (f32) or JS (f64, or the fallback) by the input's dtype. */
export function createFusedKernels(memory: Memory, engineFor: EngineFor): Required<FusedKernels<WasmHandle>> {
  const track = (data: TypedArray) => memory.track(data);
  const check = (op: string, ...views: View<WasmHandle>[]) => {
    for (const v of views) memory.check(v.handle, op);
  };
  const inputs = (a: Args): View<WasmHandle>[] => [a.xProj, a.h0, a.wHh, a.bHh, ...(a.options.lengths ? [a.options.lengths] : [])];
  const forward = (op: string, a: Args, run: (e: Engine) => ForwardArrays) => {
    check(op, ...inputs(a));
    const e = engineFor(a.xProj);
    return wrapForward(memory, e, run(e));
  };
  const backward = (op: string, a: Args, fwd: SequenceForward<WasmHandle>, run: (e: Engine, saved: (number | TypedArray)[]) => BackwardArrays) => {
    const e = engineFor(a.xProj);
    return wrapBackward(memory, run(e, savedOf(memory, e, op, fwd)));
  };
  return {
    rnnSequence: (a, act) => forward('rnnSequence', a, (e) => rnnForward(e, a, act === 'relu')),
    rnnSequenceBackward: (a, fwd, g, act) => backward('rnnSequenceBackward', a, fwd, (e, saved) => rnnBackward(e, a, saved, g, act === 'relu')),
    lstmSequence: (a) => (check('lstmSequence', a.c0), forward('lstmSequence', a, (e) => lstmForward(e, a))),
    lstmSequenceBackward: (a, fwd, g) => backward('lstmSequenceBackward', a, fwd, (e, saved) => lstmBackward(e, a, saved, g)),
    gruSequence: (a, ra) => forward('gruSequence', a, (e) => gruForward(e, a, ra)),
    gruSequenceBackward: (a, fwd, g, ra) => backward('gruSequenceBackward', a, fwd, (e, saved) => gruBackward(e, a, saved, g, ra)),
    adamStep: (a) => {
      check('adamStep', a.grad, a.mu, a.nu, a.bc1, a.bc2Sqrt);
      checkAdamStepArgs(a);
      const o = adamStep(engineFor(a.grad), a);
      return { mu: track(o.mu), nu: track(o.nu), update: track(o.update) };
    },
    crossEntropy: (a) => {
      check('crossEntropy', a.logits, a.targets);
      const o = crossEntropy(engineFor(a.logits), a, (dtype, n) => memory.acquire(dtype, n));
      return { loss: track(o.loss), logSumExp: track(o.logSumExp) };
    },
    matmulBias: (a) => {
      check('matmulBias', a.a, a.b, a.bias);
      checkMatmulBiasArgs(a);
      return memory.result(matmulBias(engineFor(a.a), a.a, a.b, a.bias));
    },
    crossEntropyBackward: (a) => {
      check('crossEntropyBackward', a.logits, a.targets, a.logSumExp, a.grad);
      return track(crossEntropyBackward(engineFor(a.logits), a));
    },
  };
}
