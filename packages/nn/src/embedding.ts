import {
  fail, fmtShape, gather, ne, scope, tensor, toTypedArray, unsqueeze, where, type Tensor,
} from '@rnnkit/tensor';
import { stopGradient } from '@rnnkit/autograd';
import { checkIndexRange } from './internal/index-range.js';
import { requireFloatDType, requirePositiveInt, requireShape } from './internal/checks.js';
import type { Module } from './module.js';

/** Parameters of `embedding`, as PyTorch's `nn.Embedding`: `weight: [V, E]`. */
export type EmbeddingParams = { readonly weight: Tensor };

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** V, the number of rows (vocabulary size); ids must lie in [0, V). */
  readonly numEmbeddings: number;
  /** E, the size of each vector. */
  readonly embeddingDim: number;
  /**
   * A row that stays put, as in PyTorch: `init` sets it to zero and it gets no gradient, so a
   * padding token maps to a constant vector. Negative values count from the end (−1 is V − 1).
   */
  readonly paddingIdx?: number;
  /** Dtype of the table `init` makes (default 'f32'). */
  readonly dtype?: 'f32' | 'f64';
}

/** A lookup table of vectors: a `Module` from i32 ids to vectors, with its sizes. */
export interface Embedding extends Module<EmbeddingParams> {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row in [0, V), or undefined. */
  readonly paddingIdx: number | undefined;
  readonly dtype: 'f32' | 'f64';
}

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim`, as PyTorch's `nn.Embedding`.
 *
 * - `init(rng, backend)` draws `weight: [V, E]` from N(0, 1) (PyTorch's default); the
 *   `paddingIdx` row, if any, is zero.
 * - `apply(params, ids)` maps i32 `ids: [...]` (any shape, e.g. `[B, T]`) to `[..., E]` with one
 *   `gather`. Its gradient reaches the table through `scatterAdd` (repeated ids accumulate); the
 *   `paddingIdx` row's gradient is zero. Ids are range-checked on backends with synchronous reads.
 *
 * @example
 * const embed = embedding({ numEmbeddings: 100, embeddingDim: 16, paddingIdx: 0 });
 * const params = embed.init(createRng(0), backend);
 * const xs = embed.apply(params, ids); // ids: [B, T] i32 → xs: [B, T, 16]
 */
export function embedding(options: EmbeddingOptions): Embedding {
  const numEmbeddings = requirePositiveInt('embedding', 'numEmbeddings', options.numEmbeddings);
  const embeddingDim = requirePositiveInt('embedding', 'embeddingDim', options.embeddingDim);
  const dtype = requireFloatDType('embedding', options.dtype ?? 'f32');
  const pad = options.paddingIdx;
  if (pad !== undefined && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings))
    fail(`embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}) for numEmbeddings ${numEmbeddings}, got ${pad}.`);
  const paddingIdx = pad === undefined ? undefined : pad < 0 ? pad + numEmbeddings : pad;
  const shape = [numEmbeddings, embeddingDim];

  const init: Embedding['init'] = (rng, backend) => {
    const values = rng.normalArray(numEmbeddings * embeddingDim);
    if (paddingIdx !== undefined) values.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
    return { weight: tensor(backend, toTypedArray(dtype, values), shape, dtype) };
  };

  const apply: Embedding['apply'] = (params, ids) => {
    const { weight } = params;
    requireShape('embedding', 'weight', weight, shape, `this layer was built with numEmbeddings ${numEmbeddings} and embeddingDim ${embeddingDim}; make the parameters with its init().`);
    if (ids.dtype !== 'i32') fail(`embedding: ids must be i32 row indices, got ${ids.dtype} ${fmtShape(ids.shape)}; convert them with cast(ids, 'i32').`);
    checkIndexRange('embedding', 'ids', ids, numEmbeddings, `(numEmbeddings ${numEmbeddings})`);
    if (paddingIdx === undefined) return gather(weight, ids, 0); //       [..., E]
    return scope(() => {
      const rows = gather(weight, ids, 0); //                             [..., E]
      const learn = unsqueeze(ne(ids, paddingIdx), -1); //                [..., 1] bool
      // Same values everywhere; only rows of non-padding ids pass a gradient back to the table.
      return where(learn, rows, stopGradient(rows));
    });
  };

  return { numEmbeddings, embeddingDim, paddingIdx, dtype, init, apply };
}
