import { add, clamp, matmul, mul, scope, sigmoid, split, tanh, transpose, type Cell, type DType, type Tensor } from '@rnnkit/tensor';
import { defineCell, inputProjection } from './define-cell.js';
import { uniformParams } from './internal/uniform-params.js';
import { addToRows } from './internal/add-to-rows.js';

export interface LstmOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias?: boolean;
  /** Added to the forget-gate rows of bias_ih at init (Jozefowicz et al. suggest 1; PyTorch uses 0). */
  readonly forgetBias?: number;
  /** Projects h to this size with weight_hr [P, H] (PyTorch's proj_size); 0 or absent for none. */
  readonly projSize?: number;
  /** Peephole connections from the cell state into the i, f (from c) and o (from c') gates. */
  readonly peepholes?: boolean;
  /** Clips the cell state to [−cellClip, cellClip] after each update (TensorFlow's cell_clip). */
  readonly cellClip?: number;
  readonly dtype?: DType;
}

/**
 * PyTorch names and shapes: weight_ih [4H, I], weight_hh [4H, P or H], bias_ih [4H], bias_hh [4H],
 * rows ordered i, f, g, o; weight_hr [P, H] with projection; peephole_i/f/o [H] with peepholes.
 */
export type LstmParams = {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih?: Tensor;
  readonly bias_hh?: Tensor;
  readonly weight_hr?: Tensor;
  readonly peephole_i?: Tensor;
  readonly peephole_f?: Tensor;
  readonly peephole_o?: Tensor;
};

export type LstmState = { readonly h: Tensor; readonly c: Tensor };

/**
 * Long short-term memory, PyTorch's formulation: i, f, o = σ(·), g = tanh(·), c' = f⊙c + i⊙g,
 * h' = o⊙tanh(c') (then h' W_hrᵀ with projection). Auxiliaries: the gates i, f, g, o and c.
 */
export function lstm(options: LstmOptions): Cell<LstmParams, LstmState> {
  const { inputSize: I, hiddenSize: H, bias = true, forgetBias = 0, projSize = 0, peepholes = false, cellClip, dtype = 'f32' } = options;
  const R = projSize > 0 ? projSize : H; // size of h
  const plain = bias && projSize === 0 && !peepholes && cellClip === undefined;
  return defineCell<LstmParams, LstmState>({
    kind: 'lstm',
    inputSize: I,
    hiddenSize: H,
    outputSize: R,
    stateSizes: { h: R, c: H },
    dtype,
    ...(plain ? { sequenceKernel: { kind: 'lstm' } as const } : {}),
    init: (rng, backend) => {
      const p = uniformParams(rng, backend, H, dtype, {
        weight_ih: [4 * H, I],
        weight_hh: [4 * H, R],
        bias_ih: bias ? [4 * H] : null,
        bias_hh: bias ? [4 * H] : null,
        weight_hr: projSize > 0 ? [projSize, H] : null,
        peephole_i: peepholes ? [H] : null,
        peephole_f: peepholes ? [H] : null,
        peephole_o: peepholes ? [H] : null,
      });
      if (forgetBias !== 0 && p.bias_ih) p.bias_ih = addToRows(p.bias_ih, H, 2 * H, forgetBias);
      return p;
    },
    project: (p, xs) => inputProjection(p.weight_ih, p.bias_ih, xs),
    stepProjected: (p, state, xp) =>
      scope(() => {
        let gates = add(xp, matmul(state.h, transpose(p.weight_hh)));
        if (p.bias_hh) gates = add(gates, p.bias_hh);
        const [gi0, gf0, gg, go] = split(gates, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
        let [gi, gf] = [gi0, gf0];
        if (p.peephole_i && p.peephole_f) {
          gi = add(gi, mul(state.c, p.peephole_i));
          gf = add(gf, mul(state.c, p.peephole_f));
        }
        const i = sigmoid(gi);
        const f = sigmoid(gf);
        const g = tanh(gg);
        let c = add(mul(f, state.c), mul(i, g));
        if (cellClip !== undefined) c = clamp(c, -cellClip, cellClip);
        const o = sigmoid(p.peephole_o ? add(go, mul(c, p.peephole_o)) : go);
        let h = mul(o, tanh(c));
        if (p.weight_hr) h = matmul(h, transpose(p.weight_hr));
        return { state: { h, c }, y: h, aux: { i, f, g, o, c } };
      }),
  });
}
