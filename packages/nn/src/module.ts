import type { Backend, ParamTree, Rng, Tensor } from '@rnnkit/tensor';

/**
 * A layer as a pair of pure functions: `init` makes its parameters, `apply` uses them. A module
 * holds no tensors itself, so one module value serves any number of parameter sets (a model and
 * its exponential moving average, or the parameters `valueAndGrad` differentiates).
 *
 * Compose modules by nesting their parameters in a plain object and calling `apply` in turn:
 *
 * ```ts
 * const embed = embedding({ numEmbeddings: V, embeddingDim: E });
 * const head = linear({ inputSize: E, outputSize: V });
 * const params = { embed: embed.init(rng, backend), head: head.init(rng, backend) };
 * const logits = head.apply(params.head, embed.apply(params.embed, ids)); // ids: [B, T] → [B, T, V]
 * ```
 */
export interface Module<P extends ParamTree, In = Tensor, Out = Tensor> {
  /** Fresh parameters, drawn from `rng` (which advances) and uploaded to `backend`. */
  init(rng: Rng, backend: Backend): P;
  /** The layer's output for `input`; pure, and it never frees `params` or `input`. The caller owns the result. */
  apply(params: P, input: In): Out;
}
