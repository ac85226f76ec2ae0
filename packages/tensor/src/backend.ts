import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';

/** A backend's own reference to device memory. Opaque above the backend. */
export type Handle = object;

/**
 * What a kernel sees of a tensor: its storage plus a strided layout. Views (reshape, transpose,
 * slice, expand) only change `shape`, `strides` and `offset`, so every kernel must honour them;
 * a stride of 0 means the axis is broadcast.
 */
export interface View<H = Handle> {
  readonly handle: H;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Element-wise one-input primitives. `isFinite` returns bool; the rest keep the dtype. */
export type UnaryOp = 'neg' | 'abs' | 'sign' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sigmoid' | 'isFinite';
export const UNARY_OPS: readonly UnaryOp[] = ['neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'isFinite'];

/** Element-wise two-input primitives. Comparisons return bool; the rest keep the dtype. */
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type BinaryOp = ArithmeticOp | CompareOp;
export const ARITHMETIC_OPS: readonly ArithmeticOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

/** Reductions. `argmax` returns i32 and takes exactly one axis. */
export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax';
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min', 'argmax'];

/**
 * The closed set of primitive kernels every backend implements. A backend that misses one does
 * not type-check. Each returns a fresh contiguous handle that the caller owns; none frees its inputs.
 * Shapes and dtypes are validated above the backend: kernels may assume well-formed input.
 */
export interface Kernels<H = Handle> {
  /** y = op(x), elementwise over x's shape. */
  unary(op: UnaryOp, x: View<H>): H;
  /** a and b have the output's shape already (broadcast axes have stride 0) and the same dtype. */
  binary(op: BinaryOp, a: View<H>, b: View<H>): H;
  /** cond is bool; all three have the output's shape; a and b share a dtype. */
  where(cond: View<H>, a: View<H>, b: View<H>): H;
  /** Reduces `axes` (sorted, unique), keeping them as size-1 axes. Empty reductions: sum 0, max -Inf, min +Inf. */
  reduce(op: ReduceOp, x: View<H>, axes: readonly number[]): H;
  /** a: [...batch, M, K], b: [...batch, K, N] (equal batch dims) → [...batch, M, N]. Float dtypes only. */
  matmul(a: View<H>, b: View<H>): H;
  /** A contiguous copy of the view. */
  copy(x: View<H>): H;
  /** Joins views along `axis`; all share dtype and every other axis. */
  concat(xs: readonly View<H>[], axis: number): H;
  /** Converts dtype (float → i32 truncates toward zero; anything → bool is `!= 0`). */
  cast(x: View<H>, dtype: DType): H;
  /** A new contiguous tensor of `shape` with every element `value`. */
  fill(shape: Shape, dtype: DType, value: number): H;
  /** out[..., i, ...] = table[..., indices[i], ...] along `axis`; indices are i32 and in range. */
  gather(table: View<H>, indices: View<H>, axis: number): H;
  /** Zeros of `shape`, then out[..., indices[i], ...] += updates[..., i, ...] along `axis`. */
  scatterAdd(shape: Shape, indices: View<H>, updates: View<H>, axis: number): H;
}

/** Options shared by the whole-sequence recurrent kernels. */
export interface SequenceOptions<H = Handle> {
  /** Per-sequence lengths, i32 [B]; steps at t >= length leave the state unchanged and output 0. */
  readonly lengths?: View<H> | undefined;
  /** Run from the last valid step to the first (each sequence's own last step when `lengths` is given). */
  readonly reverse?: boolean | undefined;
  /** No backward will follow (nothing is tracing): the forward may skip what only the backward needs and return `saved: []`. */
  readonly forwardOnly?: boolean | undefined;
}

/** Forward result of a whole-sequence kernel. `saved` is opaque to callers and passed back to the backward. */
export interface SequenceForward<H = Handle> {
  /** Hidden outputs for every step, [T, B, H]. */
  readonly hs: H;
  /** Final hidden state [B, H] (and cell state for the LSTM). */
  readonly hT: H;
  readonly cT?: H;
  /** Activations kept for the backward; the caller frees them. */
  readonly saved: readonly H[];
}

export interface SequenceBackward<H = Handle> {
  /** Gradient w.r.t. the input projection, [T, B, G·H]. */
  readonly dxProj: H;
  readonly dh0: H;
  readonly dc0?: H;
  /** Recurrent weight gradient [G·H, H], computed as one GEMM over T·B. */
  readonly dWhh: H;
  /** Recurrent bias gradient [G·H]. */
  readonly dbHh: H;
  /**
   * Per-step state adjoints [T, B, H], only when `wantStateGrads` was set: ∂L/∂h_t and ∂L/∂c_t with
   * the step's outputs (h_t, c_t) as separate variables — through the output ys and every later step;
   * zero at padded steps. (So ∂L/∂c_t excludes the path through h_t of the same step.)
   */
  readonly dhs?: H;
  readonly dcs?: H;
}

/** Arguments of a whole-sequence kernel: the input projection of every step is computed beforehand. */
export interface SequenceArgs<H = Handle> {
  /** x_t·W_ihᵀ + b_ih for every step, [T, B, G·H] (gate order as PyTorch). */
  readonly xProj: View<H>;
  readonly h0: View<H>;
  /** PyTorch layout [G·H, H]. */
  readonly wHh: View<H>;
  readonly bHh: View<H>;
  readonly options: SequenceOptions<H>;
}

export interface SequenceGrads<H = Handle> {
  /** Cotangents of the outputs; any may be absent (treated as zero). */
  readonly dhs?: View<H> | undefined;
  readonly dhT?: View<H> | undefined;
  readonly dcT?: View<H> | undefined;
  readonly wantStateGrads?: boolean | undefined;
}

/**
 * One Adam step for one parameter, as torch.optim.Adam computes it without amsgrad and before the
 * learning rate: μ' = β₁μ + (1−β₁)g, ν' = β₂ν + (1−β₂)g², update = (μ'/bc1) / (√ν'/bc2Sqrt + eps).
 * grad, mu and nu share one float dtype and shape; bc1 and bc2Sqrt are 0-d views of that dtype.
 */
export interface AdamStepArgs<H = Handle> {
  readonly grad: View<H>;
  readonly mu: View<H>;
  readonly nu: View<H>;
  /** 1 − β₁ᵗ. */
  readonly bc1: View<H>;
  /** √(1 − β₂ᵗ). */
  readonly bc2Sqrt: View<H>;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** Fresh contiguous handles, each of the gradient's shape and dtype. */
export interface AdamStepResult<H = Handle> {
  readonly mu: H;
  readonly nu: H;
  readonly update: H;
}

/**
 * Softmax cross-entropy of each row of `logits` [N, V] (float) against `targets` [N] (i32, every
 * one in [0, V): callers substitute a valid class for tokens they exclude).
 */
export interface CrossEntropyArgs<H = Handle> {
  readonly logits: View<H>;
  readonly targets: View<H>;
}

/** Fresh contiguous [N] handles of the logits' dtype. */
export interface CrossEntropyResult<H = Handle> {
  /** logsumexp(logits[n]) − logits[n, targets[n]]. */
  readonly loss: H;
  /** logsumexp(logits[n]): what the backward needs besides the logits and targets. */
  readonly logSumExp: H;
}

/** The backward's inputs: the forward's, its logSumExp [N], and the loss cotangent `grad` [N]. */
export interface CrossEntropyBackwardArgs<H = Handle> extends CrossEntropyArgs<H> {
  readonly logSumExp: View<H>;
  readonly grad: View<H>;
}

/**
 * a·b + bias with a [M, K], b [K, N] and bias [N] added to every row: the input projection and
 * linear layers in one pass. One float dtype; any strides.
 */
export interface MatmulBiasArgs<H = Handle> {
  readonly a: View<H>;
  readonly b: View<H>;
  readonly bias: View<H>;
}

/**
 * Optional fast paths. When a backend lacks one, callers use the composite path built from
 * primitives; a conformance test checks each fused kernel against it.
 */
export interface FusedKernels<H = Handle> {
  rnnSequence?(args: SequenceArgs<H>, activation: 'tanh' | 'relu'): SequenceForward<H>;
  rnnSequenceBackward?(args: SequenceArgs<H>, fwd: SequenceForward<H>, grads: SequenceGrads<H>, activation: 'tanh' | 'relu'): SequenceBackward<H>;
  lstmSequence?(args: SequenceArgs<H> & { readonly c0: View<H> }): SequenceForward<H>;
  lstmSequenceBackward?(args: SequenceArgs<H> & { readonly c0: View<H> }, fwd: SequenceForward<H>, grads: SequenceGrads<H>): SequenceBackward<H>;
  gruSequence?(args: SequenceArgs<H>, resetAfter: boolean): SequenceForward<H>;
  gruSequenceBackward?(args: SequenceArgs<H>, fwd: SequenceForward<H>, grads: SequenceGrads<H>, resetAfter: boolean): SequenceBackward<H>;
  /** The moments and direction of one Adam step in one pass (optimisers use it when no tracer is active). */
  adamStep?(args: AdamStepArgs<H>): AdamStepResult<H>;
  /**
   * a·b + bias, a fresh contiguous [M, N] handle: each element the matmul's, then the bias added
   * (as `add(matmul(a, b), bias)` rounds). `affine` in autograd uses it with its own backward.
   */
  matmulBias?(args: MatmulBiasArgs<H>): H;
  /** Per-row softmax cross-entropy in one pass (`softmaxCrossEntropy` uses it with its backward). */
  crossEntropy?(args: CrossEntropyArgs<H>): CrossEntropyResult<H>;
  /** d logits [N, V] = grad[n]·(softmax(logits[n])[v] − [v = targets[n]]), a fresh contiguous handle. */
  crossEntropyBackward?(args: CrossEntropyBackwardArgs<H>): H;
}

/** What a backend can do; the conformance kit and the ops read it. */
export interface Capabilities {
  /** Dtypes the backend stores and computes in. Every backend supports i32 and bool. */
  readonly dtypes: readonly DType[];
  /** Whether NaN and ±Inf propagate as IEEE 754 says (false where the shading language may assume no NaN). */
  readonly ieeeSpecialValues: boolean;
  /** Whether `readSync` exists. */
  readonly syncRead: boolean;
}

export interface BackendStats {
  /** Handles allocated and not yet freed. */
  readonly liveHandles: number;
  /** Bytes held by live handles; views add nothing. */
  readonly bytes: number;
  /** Highest `bytes` since creation or the last `resetPeak()`. */
  readonly peakBytes: number;
  /** Bytes kept in a pool for reuse (0 when the backend does not pool). */
  readonly pooledBytes: number;
}

/** A place tensors live and kernels run. Construct one and pass it; nothing is global. */
export interface Backend<H = Handle> {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly kernels: Kernels<H>;
  readonly fused?: FusedKernels<H>;
  /** Copies host data into a new handle (contiguous, row-major). */
  upload(data: TypedArray, dtype: DType): H;
  /**
   * Reads a view back to the host as a contiguous array of its dtype. With `out` (an array of that
   * dtype and the view's size, checked by the caller) it writes there and returns `out`, so a loop
   * that reads every step reuses one buffer instead of taking fresh memory each time. A backend may
   * ignore `out` and return a new array: `Tensor.read` then copies it over.
   */
  read(x: View<H>, out?: TypedArray): Promise<TypedArray>;
  readSync?(x: View<H>, out?: TypedArray): TypedArray;
  free(handle: H): void;
  stats(): BackendStats;
  resetPeak(): void;
}
