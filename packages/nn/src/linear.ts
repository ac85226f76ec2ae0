import { affine } from '@rnnkit/autograd';
import { fail, fmtShape, uniform, type Tensor } from '@rnnkit/tensor';
import { requireFloatDType, requireFloatTensor, requirePositiveInt, requireShape } from './internal/checks.js';
import type { Module } from './module.js';

/** Parameters of `linear`, named and shaped as PyTorch's `nn.Linear`: `weight: [O, I]`, `bias: [O]`. */
export type LinearParams<HasBias extends boolean = true> = HasBias extends false
  ? { readonly weight: Tensor }
  : { readonly weight: Tensor; readonly bias: Tensor };

/** Options of `linear`. */
export interface LinearOptions<HasBias extends boolean = true> {
  /** I, the size of the last axis of the input. */
  readonly inputSize: number;
  /** O, the size of the last axis of the output. */
  readonly outputSize: number;
  /** Whether to add a learned `bias: [O]` (default true). */
  readonly bias?: HasBias;
  /** Dtype of the parameters `init` makes (default 'f32'); inputs must have the same dtype. */
  readonly dtype?: 'f32' | 'f64';
}

/** An affine map over the last axis: a `Module` with its sizes. */
export interface Linear<HasBias extends boolean = true> extends Module<LinearParams<HasBias>> {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly bias: HasBias;
  readonly dtype: 'f32' | 'f64';
}

/**
 * A fully connected layer, y = x·Wᵀ + b, as PyTorch's `nn.Linear`.
 *
 * - `init(rng, backend)` draws `weight: [O, I]` and `bias: [O]` from U(−1/√I, 1/√I), PyTorch's
 *   default (its Kaiming-uniform with a = √5 gives the same bound), weight first.
 * - `apply(params, x)` maps `x: [..., I]` to `[..., O]` for any number of leading axes (`[B, I]`,
 *   `[B, T, I]`, …) with one matrix product over all of them, so a head applied to a whole
 *   sequence of hidden states is one GEMM (autograd's `affine`; the bias goes in with the product
 *   on backends with a fused `matmulBias`).
 *
 * @example
 * const head = linear({ inputSize: 32, outputSize: 10 });
 * const params = head.init(createRng(0), backend);
 * const logits = head.apply(params, hs); // hs: [B, T, 32] → logits: [B, T, 10]
 */
export function linear<HasBias extends boolean = true>(options: LinearOptions<HasBias>): Linear<HasBias> {
  const inputSize = requirePositiveInt('linear', 'inputSize', options.inputSize);
  const outputSize = requirePositiveInt('linear', 'outputSize', options.outputSize);
  const hasBias = (options.bias ?? true) as HasBias;
  if (typeof hasBias !== 'boolean') fail(`linear: bias must be true or false, got ${String(hasBias)}.`);
  const dtype = requireFloatDType('linear', options.dtype ?? 'f32');
  const bound = 1 / Math.sqrt(inputSize);
  const built = `this layer was built with inputSize ${inputSize} and outputSize ${outputSize}; make the parameters with its init().`;

  const init: Linear<HasBias>['init'] = (rng, backend) => {
    const weight = uniform(rng, backend, [outputSize, inputSize], -bound, bound, { dtype });
    if (!hasBias) return { weight } as LinearParams<HasBias>;
    const bias = uniform(rng, backend, [outputSize], -bound, bound, { dtype });
    return { weight, bias } as LinearParams<HasBias>;
  };

  const apply: Linear<HasBias>['apply'] = (params, x) => {
    const { weight } = params;
    const bias = 'bias' in params ? params.bias : undefined;
    requireShape('linear', 'weight', weight, [outputSize, inputSize], built);
    if (hasBias && !bias) fail(`linear: params has no bias, but ${built}`);
    if (bias) requireShape('linear', 'bias', bias, [outputSize], built);
    requireFloatTensor('linear', 'x', x);
    if (x.rank === 0 || x.shape[x.rank - 1] !== inputSize)
      fail(`linear: x has shape ${fmtShape(x.shape)}, but the layer takes ${inputSize} input features on its last axis (weight: ${fmtShape(weight.shape)}); pass x: [..., ${inputSize}].`);
    if (x.dtype !== weight.dtype)
      fail(`linear: x is ${x.dtype} ${fmtShape(x.shape)} but the weights are ${weight.dtype}; build the layer with { dtype: '${x.dtype}' } or cast(x, '${weight.dtype}').`);
    return affine(x, weight, bias);
  };

  return { inputSize, outputSize, bias: hasBias, dtype, init, apply };
}
