import { fmtShape } from '@rnnkit/tensor';
import { KERAS, gateOrder } from './conventions.js';
import { addHost, expectShape, host, inverse, isZero, reorderBlocks, sliceRows, transpose2d, zerosHost, type HostTensor } from './host.js';
import { formatError, gatesOf, refuse, type HostCellParams, type RecurrentKind, type RecurrentSpec } from './spec.js';

/** The weights of one Keras recurrent cell: kernel (I, G·H), recurrent_kernel (H, G·H), bias. */
export interface KerasCellWeights {
  readonly kernel: HostTensor;
  readonly recurrent_kernel: HostTensor;
  /** (G·H); a reset-after GRU's is (2, 3H): row 0 the input bias, row 1 the recurrent bias. */
  readonly bias?: HostTensor;
}

/** Keras' layer class for a kind. */
export function kerasClass(kind: RecurrentKind): 'SimpleRNN' | 'LSTM' | 'GRU' {
  return kind === 'rnn' ? 'SimpleRNN' : kind === 'lstm' ? 'LSTM' : 'GRU';
}

export interface KerasTarget {
  /** 'Keras' (default) or 'tfjs layers', whose GRUCell refuses reset_after = true. */
  readonly runtime?: 'Keras' | 'tfjs layers';
}

/** Throws `ConversionRefused` when a Keras layer cannot compute the same function as `spec`. */
export function checkKerasCompatible(spec: RecurrentSpec, target: KerasTarget = {}): void {
  const T = target.runtime ?? 'Keras';
  if (spec.kind === 'lstm' && spec.projSize) refuse(T, `the LSTM layer has no projection; this LSTM projects h to ${spec.projSize} values (projSize).`);
  if (spec.kind === 'lstm' && spec.peepholes) refuse(T, 'the LSTM layer has no peephole connections; this LSTM has peephole_i/f/o.');
  if (spec.kind === 'lstm' && spec.cellClip !== undefined) refuse(T, `the LSTM layer cannot clip its cell state; this LSTM clips c to ±${spec.cellClip} (cellClip).`);
  if (T === 'tfjs layers' && spec.kind === 'gru' && spec.resetAfter !== false)
    refuse(T, "tfjs' GRU supports only reset_after = false (reset-before: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)); this GRU is reset-after (n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))), a different function that no rearrangement of the weights converts.");
}

/**
 * One rnnkit cell's parameters in Keras' layout. Gates go along the columns in Keras' order
 * (LSTM i, f, c, o; GRU z, r, h). Keras has one bias except in a reset-after GRU, so elsewhere the
 * bias is bias_ih + bias_hh (exact when bias_hh is zero, as it is after a Keras import; else one
 * f32 rounding per element). Refuses what Keras lacks (projection, peepholes, cell clipping).
 */
export function toKerasCell(spec: RecurrentSpec, p: HostCellParams, target: KerasTarget = {}): KerasCellWeights {
  checkKerasCompatible(spec, target);
  const order = gateOrder(KERAS, spec.kind);
  const cols = (t: HostTensor) => transpose2d(reorderBlocks(t, order));
  const kernel = cols(p.weight_ih!);
  const recurrent_kernel = cols(p.weight_hh!);
  if (!p.bias_ih) return { kernel, recurrent_kernel };
  const bih = reorderBlocks(p.bias_ih, order);
  const bhh = reorderBlocks(p.bias_hh!, order);
  if (spec.kind === 'gru' && spec.resetAfter !== false) {
    const n = bih.data.length;
    const bias = new Float32Array(2 * n);
    bias.set(bih.data, 0);
    bias.set(bhh.data, n);
    return { kernel, recurrent_kernel, bias: host(bias, [2, n]) };
  }
  return { kernel, recurrent_kernel, bias: isZero(bhh) ? bih : addHost(bih, bhh) };
}

/**
 * One Keras cell's weights as rnnkit parameters (PyTorch names and row order). A single Keras
 * bias becomes bias_ih, with bias_hh zero; a reset-after GRU's (2, 3H) bias splits into both.
 * Shapes are checked against (I, G·H), (H, G·H) and the bias shape, naming the tensor.
 */
export function fromKerasCell(spec: RecurrentSpec, inputSize: number, w: Partial<KerasCellWeights>, where = 'Keras'): HostCellParams {
  const H = spec.hiddenSize;
  const G = gatesOf(spec.kind) * H;
  const back = inverse(gateOrder(KERAS, spec.kind));
  const rows = (t: HostTensor) => reorderBlocks(transpose2d(t), back);
  const kernel = expectShape(where, 'kernel', w.kernel, [inputSize, G]);
  const rk = expectShape(where, 'recurrent_kernel', w.recurrent_kernel, [H, G]);
  const out: Record<string, HostTensor> = { weight_ih: rows(kernel), weight_hh: rows(rk) };
  if (spec.bias === false) {
    if (w.bias) formatError(`${where}: unexpected tensor 'bias' ${fmtShape(w.bias.shape)} for a layer with use_bias = false.`);
    return out;
  }
  if (spec.kind === 'gru' && spec.resetAfter !== false) {
    const b = expectShape(where, 'bias', w.bias, [2, G]);
    out.bias_ih = reorderBlocks(sliceRows(b, 0, 1, [G]), back);
    out.bias_hh = reorderBlocks(sliceRows(b, 1, 2, [G]), back);
  } else {
    out.bias_ih = reorderBlocks(expectShape(where, 'bias', w.bias, [G]), back);
    out.bias_hh = zerosHost([G]);
  }
  return out;
}
