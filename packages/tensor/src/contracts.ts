import type { Backend } from './backend.js';
import type { DType } from './dtype.js';
import type { ParamTree } from './param-tree.js';
import type { Rng } from './rng.js';
import type { Tensor } from './tensor.js';

/** A cell's recurrent state: named [B, size] tensors ({ h } for RNN/GRU, { h, c } for the LSTM). */
export type CellState = { readonly [name: string]: Tensor };

/** One step of a cell: the new state, the output, and named auxiliaries (gate activations). */
export interface StepResult<S extends CellState = CellState> {
  readonly state: S;
  /** y: [B, outputSize]. */
  readonly y: Tensor;
  readonly aux: Readonly<Record<string, Tensor>>;
}

/** Which whole-sequence fused kernel computes exactly this cell, if any (see FusedKernels). */
export type SequenceKernel = { readonly kind: 'rnn'; readonly activation: 'tanh' | 'relu' } | { readonly kind: 'lstm' } | { readonly kind: 'gru'; readonly resetAfter: boolean };

/**
 * A recurrent cell: pure functions plus metadata. Stacking, bidirectionality, variable lengths and
 * truncated BPTT are built over this interface, so a user's own cell gets them for free.
 */
export interface Cell<P extends ParamTree = ParamTree, S extends CellState = CellState> {
  readonly kind: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Size of `y` (hiddenSize unless the cell projects, like an LSTM with projSize). */
  readonly outputSize: number;
  /** Size of each state tensor, e.g. { h: H, c: H }. */
  readonly stateSizes: Readonly<Record<keyof S & string, number>>;
  readonly dtype: DType;
  /**
   * Set when a backend's fused sequence kernel computes this cell exactly (PyTorch layout params:
   * weight_ih, weight_hh, bias_ih, bias_hh; `project` must add bias_ih when present and skip it when
   * undefined, since the fused path folds it into bias_hh for RNN and LSTM).
   */
  readonly sequenceKernel?: SequenceKernel;
  init(rng: Rng, backend: Backend): P;
  zeroState(batch: number, backend: Backend): S;
  /** x: [B, I] → y: [B, outputSize]. */
  step(params: P, state: S, x: Tensor): StepResult<S>;
  /** xs: [T, B, I] → [T, B, G·H]: the input projection of every step as one GEMM. */
  project?(params: P, xs: Tensor): Tensor;
  /** Like `step`, taking one step of `project`'s output [B, G·H] instead of x. */
  stepProjected?(params: P, state: S, xProj: Tensor): StepResult<S>;
}

/** An Optax-style gradient transformation: pure `init` and `update` with explicit state. */
export interface Transform<S = unknown> {
  init(params: ParamTree): S;
  update(grads: ParamTree, state: S, params?: ParamTree): [updates: ParamTree, state: S];
}

/** What a tap sees at each time step of a recurrent scan. Tensors are borrowed: copy what you keep. */
export interface StepEvent<S extends CellState = CellState> {
  /** Time index in the input (a reverse direction counts down). */
  readonly t: number;
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  /** State after the step. */
  readonly state: S;
  readonly y: Tensor;
  /** Gate activations and other named values of the step. */
  readonly aux: Readonly<Record<string, Tensor>>;
}

/** ∂L/∂state_t during the backward: the total gradient, through the output and every later step. */
export interface StateGradEvent<S extends CellState = CellState> {
  readonly t: number;
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  readonly grad: { readonly [K in keyof S]?: Tensor };
}

/** Observes a scan without changing it; a scan with no tap pays nothing. */
export interface StepTap<S extends CellState = CellState> {
  onStep?(event: StepEvent<S>): void;
  onStateGrad?(event: StateGradEvent<S>): void;
}

/** A diagnostic that collects typed results from taps and returns them. */
export interface Probe<R> {
  readonly name: string;
  readonly tap?: StepTap;
  result(): R;
}
