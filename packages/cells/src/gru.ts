import { add, matmul, mul, scope, sigmoid, split, sub, tanh, transpose, type Cell, type DType, type Tensor } from '@rnnkit/tensor';
import { defineCell, inputProjection } from './define-cell.js';
import { uniformParams } from './internal/uniform-params.js';

export interface GruOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /**
   * true (default): n = tanh(x_n + r⊙(h W_hnᵀ + b_hn)) — PyTorch, Keras' default, cuDNN.
   * false: n = tanh(x_n + (r⊙h) W_hnᵀ + b_hn) — Cho et al., tfjs, Keras reset_after=False.
   * They are different functions; weights of one cannot be converted into the other.
   */
  readonly resetAfter?: boolean;
  readonly bias?: boolean;
  readonly dtype?: DType;
}

/** PyTorch names and shapes: weight_ih [3H, I], weight_hh [3H, H], bias_ih [3H], bias_hh [3H]; rows r, z, n. */
export type GruParams = {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
};

export type GruState = { readonly h: Tensor };

/** Gated recurrent unit: r, z = σ(·), n as `resetAfter` says, h' = (1 − z)⊙n + z⊙h. Auxiliaries: r, z, n. */
export function gru(options: GruOptions): Cell<GruParams, GruState> {
  const { inputSize: I, hiddenSize: H, resetAfter = true, bias = true, dtype = 'f32' } = options;
  return defineCell<GruParams, GruState>({
    kind: resetAfter ? 'gru' : 'gru-reset-before',
    inputSize: I,
    hiddenSize: H,
    stateSizes: { h: H },
    dtype,
    ...(bias ? { sequenceKernel: { kind: 'gru', resetAfter } as const } : {}),
    init: (rng, backend) =>
      uniformParams(rng, backend, H, dtype, { weight_ih: [3 * H, I], weight_hh: [3 * H, H], bias_ih: bias ? [3 * H] : null, bias_hh: bias ? [3 * H] : null }),
    project: (p, xs) => inputProjection(p.weight_ih, p.bias_ih, xs),
    stepProjected: (p, state, xp) =>
      scope(() => {
        const [xr, xz, xn] = split(xp, 3, -1) as [Tensor, Tensor, Tensor];
        const [wr, wz, wn] = split(p.weight_hh, 3, 0) as [Tensor, Tensor, Tensor];
        const bh = p.bias_hh ? (split(p.bias_hh, 3, 0) as [Tensor, Tensor, Tensor]) : undefined;
        const withBias = (t: Tensor, k: 0 | 1 | 2) => (bh ? add(t, bh[k]) : t);
        const r = sigmoid(add(xr, withBias(matmul(state.h, transpose(wr)), 0)));
        const z = sigmoid(add(xz, withBias(matmul(state.h, transpose(wz)), 1)));
        const hn = resetAfter ? mul(r, withBias(matmul(state.h, transpose(wn)), 2)) : withBias(matmul(mul(r, state.h), transpose(wn)), 2);
        const n = tanh(add(xn, hn));
        const h = add(n, mul(z, sub(state.h, n))); // (1 − z)⊙n + z⊙h
        return { state: { h }, y: h, aux: { r, z, n } };
      }),
  });
}
