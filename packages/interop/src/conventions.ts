/**
 * The declared convention of every system, as data. Gate orders list, for each block of rows
 * (or columns) in the system's tensor, which rnnkit gate it holds; rnnkit's own order is
 * PyTorch's: LSTM i, f, g, o and GRU r, z, n. docs/interop.md prints this table.
 */
export const RNNKIT_GATES = { lstm: ['i', 'f', 'g', 'o'], gru: ['r', 'z', 'n'], rnn: ['h'] } as const;

export interface SystemConvention {
  readonly system: string;
  /** For each block of the system's gate axis, the rnnkit gate index (into RNNKIT_GATES) it holds. */
  readonly lstmOrder: readonly number[];
  readonly gruOrder: readonly number[];
  /** How the system names its gates, in its order. */
  readonly lstmNames: readonly string[];
  readonly gruNames: readonly string[];
}

export const PYTORCH: SystemConvention = { system: 'PyTorch', lstmOrder: [0, 1, 2, 3], gruOrder: [0, 1, 2], lstmNames: ['i', 'f', 'g', 'o'], gruNames: ['r', 'z', 'n'] };
/** Keras 3 / tfjs layers: kernel (I, G·H) and recurrent_kernel (H, G·H), gates along the columns. */
export const KERAS: SystemConvention = { system: 'Keras', lstmOrder: [0, 1, 2, 3], gruOrder: [1, 0, 2], lstmNames: ['i', 'f', 'c', 'o'], gruNames: ['z', 'r', 'h'] };
/** ONNX LSTM/GRU/RNN operators: W [D, G·H, I], R [D, G·H, H], gates along the rows. */
export const ONNX: SystemConvention = { system: 'ONNX', lstmOrder: [0, 3, 1, 2], gruOrder: [1, 0, 2], lstmNames: ['i', 'o', 'f', 'c'], gruNames: ['z', 'r', 'h'] };
/** tf.basicLSTMCell: one kernel (I+H, 4H) on concat(x, h), columns i, j, f, o (j is the candidate). */
export const TFJS_BASIC_LSTM: SystemConvention = { system: 'tfjs basicLSTMCell', lstmOrder: [0, 2, 1, 3], gruOrder: [], lstmNames: ['i', 'j', 'f', 'o'], gruNames: [] };

export function gateOrder(c: SystemConvention, kind: 'rnn' | 'lstm' | 'gru'): readonly number[] {
  return kind === 'lstm' ? c.lstmOrder : kind === 'gru' ? c.gruOrder : [0];
}
