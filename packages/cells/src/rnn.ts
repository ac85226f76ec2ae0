import { add, matmul, relu, scope, tanh, transpose, type Cell, type DType, type Tensor } from '@rnnkit/tensor';
import { defineCell, inputProjection } from './define-cell.js';
import { uniformParams } from './internal/uniform-params.js';

export interface RnnOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly activation?: 'tanh' | 'relu';
  /** Include bias_ih and bias_hh (default true, as PyTorch). */
  readonly bias?: boolean;
  readonly dtype?: DType;
}

/** PyTorch names and shapes: weight_ih [H, I], weight_hh [H, H], bias_ih [H], bias_hh [H]. */
export type RnnParams = {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
};

export type RnnState = { readonly h: Tensor };

/** Elman RNN: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh (default) or relu. */
export function rnn(options: RnnOptions): Cell<RnnParams, RnnState> {
  const { inputSize: I, hiddenSize: H, activation = 'tanh', bias = true, dtype = 'f32' } = options;
  const act = activation === 'tanh' ? tanh : relu;
  return defineCell<RnnParams, RnnState>({
    kind: `rnn-${activation}`,
    inputSize: I,
    hiddenSize: H,
    stateSizes: { h: H },
    dtype,
    ...(bias ? { sequenceKernel: { kind: 'rnn', activation } as const } : {}),
    init: (rng, backend) =>
      uniformParams(rng, backend, H, dtype, { weight_ih: [H, I], weight_hh: [H, H], bias_ih: bias ? [H] : null, bias_hh: bias ? [H] : null }),
    project: (p, xs) => inputProjection(p.weight_ih, p.bias_ih, xs),
    stepProjected: (p, state, xp) =>
      scope(() => {
        let pre = add(xp, matmul(state.h, transpose(p.weight_hh)));
        if (p.bias_hh) pre = add(pre, p.bias_hh);
        const h = act(pre);
        return { state: { h }, y: h, aux: { preActivation: pre } };
      }),
  });
}
