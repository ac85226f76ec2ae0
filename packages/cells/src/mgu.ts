import { add, matmul, mul, scope, sigmoid, split, sub, tanh, transpose, type Cell, type DType, type Tensor } from '@rnnkit/tensor';
import { defineCell, inputProjection } from './define-cell.js';
import { uniformParams } from './internal/uniform-params.js';

export interface MguOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Include bias_ih and bias_hh (default true). */
  readonly bias?: boolean;
  readonly dtype?: DType;
}

/** PyTorch-style names and shapes: weight_ih [2H, I], weight_hh [2H, H], bias_ih [2H], bias_hh [2H]; rows f, h̃. */
export type MguParams = {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
};

export type MguState = { readonly h: Tensor };

/**
 * Minimal gated unit (Zhou, Wu, Zhang and Zhou, 2016): one gate where a GRU has two.
 *   f  = σ(x W_fᵀ + b_f + h U_fᵀ + c_f)
 *   h̃  = tanh(x W_hᵀ + b_h + (f⊙h) U_hᵀ + c_h)
 *   h' = (1 − f)⊙h + f⊙h̃
 * W = weight_ih, U = weight_hh, b = bias_ih, c = bias_hh, each split in rows (f, h̃).
 * Every parameter is drawn from U(−1/√H, 1/√H), as PyTorch does for its recurrent cells.
 * Auxiliaries: the gate f.
 */
export function mgu(options: MguOptions): Cell<MguParams, MguState> {
  const { inputSize: I, hiddenSize: H, bias = true, dtype = 'f32' } = options;
  return defineCell<MguParams, MguState>({
    kind: 'mgu',
    inputSize: I,
    hiddenSize: H,
    stateSizes: { h: H },
    dtype,
    init: (rng, backend) =>
      uniformParams(rng, backend, H, dtype, { weight_ih: [2 * H, I], weight_hh: [2 * H, H], bias_ih: bias ? [2 * H] : null, bias_hh: bias ? [2 * H] : null }),
    // x W_ihᵀ + b_ih for every step at once: [.., I] → [.., 2H].
    project: (p, xs) => inputProjection(p.weight_ih, p.bias_ih, xs),
    stepProjected: (p, state, xp) =>
      scope(() => {
        const [xf, xh] = split(xp, 2, -1) as [Tensor, Tensor];
        const [uf, uh] = split(p.weight_hh, 2, 0) as [Tensor, Tensor];
        const ch = p.bias_hh ? (split(p.bias_hh, 2, 0) as [Tensor, Tensor]) : undefined;
        const withBias = (t: Tensor, k: 0 | 1) => (ch ? add(t, ch[k]) : t);
        const f = sigmoid(add(xf, withBias(matmul(state.h, transpose(uf)), 0)));
        const candidate = tanh(add(xh, withBias(matmul(mul(f, state.h), transpose(uh)), 1)));
        const h = add(state.h, mul(f, sub(candidate, state.h))); // (1 − f)⊙h + f⊙h̃
        return { state: { h }, y: h, aux: { f } };
      }),
  });
}
