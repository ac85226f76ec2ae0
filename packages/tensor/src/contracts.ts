import type { Backend } from './backend.js';
import type { ParamTree } from './param-tree.js';
import type { Rng } from './rng.js';
import type { Tensor } from './tensor.js';

/** One step of a cell: the new state, the output, and named auxiliaries (gate activations). */
export interface StepResult<S> {
  readonly state: S;
  readonly y: Tensor;
  readonly aux?: Readonly<Record<string, Tensor>>;
}

/**
 * A recurrent cell: pure functions plus metadata. Stacking, bidirectionality, variable lengths and
 * truncated BPTT are built over this interface, so a user's own cell gets them for free.
 */
export interface Cell<P extends ParamTree = ParamTree, S = unknown> {
  readonly kind: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Size of `y` (hiddenSize unless the cell projects, like an LSTM with projSize). */
  readonly outputSize: number;
  init(rng: Rng, backend: Backend): P;
  zeroState(batch: number, backend: Backend): S;
  /** x: [B, I] → y: [B, outputSize]. */
  step(params: P, state: S, x: Tensor): StepResult<S>;
  /** xs: [T, B, I] → [T, B, G·H]: the input projection of every step as one GEMM. */
  project?(params: P, xs: Tensor): Tensor;
  /** Like `step`, taking a row of `project`'s output instead of x. */
  stepProjected?(params: P, state: S, xProj: Tensor): StepResult<S>;
}

/** An Optax-style gradient transformation: pure `init` and `update` with explicit state. */
export interface Transform<S = unknown> {
  init(params: ParamTree): S;
  update(grads: ParamTree, state: S, params?: ParamTree): [updates: ParamTree, state: S];
}

/** What a probe sees at each time step of a recurrent scan. */
export interface StepEvent<S = unknown> {
  readonly t: number;
  readonly layer: number;
  readonly direction: 'forward' | 'reverse';
  readonly state: S;
  readonly y: Tensor;
  readonly aux: Readonly<Record<string, Tensor>>;
}

/** Observes a computation without changing it; the scan calls taps only when one is attached. */
export interface StepTap<S = unknown> {
  onStep(event: StepEvent<S>): void;
}

/** A diagnostic that collects typed results from taps and returns them. */
export interface Probe<R> {
  readonly name: string;
  readonly tap?: StepTap;
  result(): R;
}
