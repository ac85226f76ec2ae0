import { TFJS_BASIC_LSTM } from './conventions.js';
import { addHost, concatRows, expectShape, host, inverse, isZero, reorderBlocks, sliceRows, transpose2d, zerosHost, type HostTensor } from './host.js';
import { refuse, type HostCellParams, type RecurrentSpec } from './spec.js';

/**
 * The arguments of tfjs' `tf.basicLSTMCell(forgetBias, lstmKernel, lstmBias, data, c, h)`: one
 * kernel (I+H, 4H) applied to concat(x, h), columns i, j, f, o (j is the candidate, rnnkit's g),
 * one bias (4H), and a scalar added to the forget gate's pre-activation.
 */
export interface BasicLstmCellWeights {
  readonly kernel: HostTensor;
  readonly bias: HostTensor;
  readonly forgetBias: number;
}

const T = 'tfjs basicLSTMCell';

/**
 * An rnnkit LSTM cell (one layer, one direction) as basicLSTMCell arguments with the given
 * forgetBias (default 0). The bias is bias_ih + bias_hh − forgetBias on the f columns; exact
 * when bias_hh is zero and forgetBias is 0. Refuses projection, peepholes and cell clipping, which
 * basicLSTMCell lacks.
 */
export function toBasicLstmCell(spec: RecurrentSpec, p: HostCellParams, forgetBias = 0): BasicLstmCellWeights {
  if (spec.kind !== 'lstm') refuse(T, `basicLSTMCell is an LSTM; this is a ${spec.kind}.`);
  if (spec.projSize) refuse(T, `basicLSTMCell has no projection; this LSTM projects h to ${spec.projSize} values (projSize).`);
  if (spec.peepholes) refuse(T, 'basicLSTMCell has no peephole connections; this LSTM has peephole_i/f/o.');
  if (spec.cellClip !== undefined) refuse(T, `basicLSTMCell cannot clip its cell state; this LSTM clips c to ±${spec.cellClip} (cellClip).`);
  const order = TFJS_BASIC_LSTM.lstmOrder;
  const H = spec.hiddenSize;
  const I = p.weight_ih!.shape[1]!;
  const kernel = concatRows([transpose2d(reorderBlocks(p.weight_ih!, order)), transpose2d(reorderBlocks(p.weight_hh!, order))], [I + H, 4 * H]);
  let bias = p.bias_ih ? (isZero(p.bias_hh) ? p.bias_ih : addHost(p.bias_ih, p.bias_hh!)) : zerosHost([4 * H]);
  bias = reorderBlocks(bias, order);
  if (forgetBias !== 0) {
    const data = Float32Array.from(bias.data);
    for (let j = 2 * H; j < 3 * H; j++) data[j] = data[j]! - forgetBias; // tfjs' f block is the third
    bias = host(data, [4 * H]);
  }
  return { kernel, bias, forgetBias };
}

/**
 * basicLSTMCell arguments as an rnnkit LSTM cell's parameters: weight_ih [4H, I], weight_hh [4H, H]
 * (rows i, f, g, o), bias_ih = bias (+ forgetBias on the f rows, one f32 rounding unless it is
 * 0), bias_hh = 0. The spec is `{ kind: 'lstm', inputSize, hiddenSize: H, numLayers: 1, bidirectional: false }`.
 */
export function fromBasicLstmCell(w: BasicLstmCellWeights, inputSize: number): { spec: RecurrentSpec; params: HostCellParams } {
  const H = w.bias.shape[0]! / 4;
  const I = inputSize;
  expectShape(T, 'lstmKernel', w.kernel, [I + H, 4 * H]);
  expectShape(T, 'lstmBias', w.bias, [4 * H]);
  const back = inverse(TFJS_BASIC_LSTM.lstmOrder);
  const rows = (t: HostTensor) => reorderBlocks(transpose2d(t), back);
  let bias = w.bias;
  if (w.forgetBias !== 0) {
    const data = Float32Array.from(bias.data);
    for (let j = 2 * H; j < 3 * H; j++) data[j] = data[j]! + w.forgetBias;
    bias = host(data, [4 * H]);
  }
  return {
    spec: { kind: 'lstm', inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: false, bias: true },
    params: {
      weight_ih: rows(sliceRows(w.kernel, 0, I, [I, 4 * H])),
      weight_hh: rows(sliceRows(w.kernel, I, I + H, [H, 4 * H])),
      bias_ih: reorderBlocks(bias, back),
      bias_hh: zerosHost([4 * H]),
    },
  };
}
