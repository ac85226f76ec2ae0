import {
  checkMatmulBiasArgs, hostAdamStep, hostCrossEntropy, hostCrossEntropyBackward, type FusedKernels, type MatmulBiasArgs, type SequenceBackward, type SequenceForward,
  type TypedArray,
} from '@rnnkit/tensor';
import { binary } from '../binary.js';
import type { CpuHandle } from '../handle.js';
import { matmul } from '../matmul.js';
import type { BackwardArrays, ForwardArrays } from './common.js';
import { gruBackward, gruForward } from './gru.js';
import { lstmBackward, lstmForward } from './lstm.js';
import { rnnBackward, rnnForward } from './rnn.js';

type Track = (data: TypedArray) => CpuHandle;

function wrapForward(track: Track, f: ForwardArrays): SequenceForward<CpuHandle> {
  return {
    hs: track(f.hs),
    hT: track(f.hT),
    ...(f.cT === undefined ? {} : { cT: track(f.cT) }),
    saved: f.saved.map(track),
  };
}

function wrapBackward(track: Track, g: BackwardArrays): SequenceBackward<CpuHandle> {
  return {
    dxProj: track(g.dxProj),
    dh0: track(g.dh0),
    ...(g.dc0 === undefined ? {} : { dc0: track(g.dc0) }),
    dWhh: track(g.dWhh),
    dbHh: track(g.dbHh),
    ...(g.dhs === undefined ? {} : { dhs: track(g.dhs) }),
    ...(g.dcs === undefined ? {} : { dcs: track(g.dcs) }),
  };
}

/** The product, then the bias broadcast over its rows and added: the composite's two kernels. */
function matmulBias(args: MatmulBiasArgs<CpuHandle>): TypedArray {
  checkMatmulBiasArgs(args);
  const { a, b, bias } = args;
  const [M, N] = [a.shape[0]!, b.shape[1]!];
  const product = { handle: { data: matmul(a, b) }, dtype: a.dtype, shape: [M, N], strides: [N, 1], offset: 0 };
  return binary('add', product, { ...bias, shape: [M, N], strides: [0, bias.strides[0]!] });
}

function savedData(fwd: SequenceForward<CpuHandle>): TypedArray[] {
  return fwd.saved.map((h) => h.data);
}

/** The whole-sequence kernels; `track` registers each result with the backend's memory accounting. */
export function createFusedKernels(track: Track): Required<FusedKernels<CpuHandle>> {
  return {
    rnnSequence: (args, activation) => wrapForward(track, rnnForward(args, activation)),
    rnnSequenceBackward: (args, fwd, grads, activation) => wrapBackward(track, rnnBackward(args, savedData(fwd), grads, activation)),
    lstmSequence: (args) => wrapForward(track, lstmForward(args)),
    lstmSequenceBackward: (args, fwd, grads) => wrapBackward(track, lstmBackward(args, savedData(fwd), grads)),
    gruSequence: (args, resetAfter) => wrapForward(track, gruForward(args, resetAfter)),
    gruSequenceBackward: (args, fwd, grads, resetAfter) => wrapBackward(track, gruBackward(args, savedData(fwd), grads, resetAfter)),
    adamStep: (args) => {
      const o = hostAdamStep(args);
      return { mu: track(o.mu), nu: track(o.nu), update: track(o.update) };
    },
    crossEntropy: (args) => {
      const o = hostCrossEntropy(args);
      return { loss: track(o.loss), logSumExp: track(o.logSumExp) };
    },
    crossEntropyBackward: (args) => track(hostCrossEntropyBackward(args)),
    matmulBias: (args) => track(matmulBias(args)),
  };
}
