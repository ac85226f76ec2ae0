// Recurrent cells: small factories returning the `Cell` contract of @rnnkit/tensor.
export type { CellSpec } from './define-cell.js';
export { checkState, defineCell, inputProjection } from './define-cell.js';
export type { RnnOptions, RnnParams, RnnState } from './rnn.js';
export { rnn } from './rnn.js';
export type { LstmOptions, LstmParams, LstmState } from './lstm.js';
export { lstm } from './lstm.js';
export type { GruOptions, GruParams, GruState } from './gru.js';
export { gru } from './gru.js';
export type { MguOptions, MguParams, MguState } from './mgu.js';
export { mgu } from './mgu.js';
