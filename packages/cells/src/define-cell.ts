import { affine } from '@rnnkit/autograd';
import {
  fail, fmtShape, zeros, type Backend, type Cell, type CellState, type DType, type ParamTree, type Rng,
  type SequenceKernel, type StepResult, type Tensor,
} from '@rnnkit/tensor';

/** Everything a cell author writes; `defineCell` derives the rest (zero state, checks, `step` from `project`). */
export interface CellSpec<P extends ParamTree, S extends CellState> {
  readonly kind: string;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize?: number;
  readonly stateSizes: Readonly<Record<keyof S & string, number>>;
  readonly dtype?: DType;
  readonly sequenceKernel?: SequenceKernel;
  init(rng: Rng, backend: Backend): P;
  /** One step from x: [B, I]. Give this, or `project` + `stepProjected`, or all three. */
  step?(params: P, state: S, x: Tensor): StepResult<S>;
  project?(params: P, xs: Tensor): Tensor;
  stepProjected?(params: P, state: S, xProj: Tensor): StepResult<S>;
}

/**
 * Builds a `Cell` from a spec: validates sizes, adds `zeroState`, and (when the cell splits its
 * input projection out) derives `step` from `project` + `stepProjected`. Shape errors on `step`
 * name the cell and both sizes.
 */
export function defineCell<P extends ParamTree, S extends CellState>(spec: CellSpec<P, S>): Cell<P, S> {
  for (const [what, v] of [['inputSize', spec.inputSize], ['hiddenSize', spec.hiddenSize]] as const)
    if (!Number.isInteger(v) || v <= 0) fail(`${spec.kind}: ${what} must be a positive integer, got ${v}.`);
  const dtype = spec.dtype ?? 'f32';
  const { project, stepProjected } = spec;
  if (!spec.step && !(project && stepProjected)) fail(`defineCell(${spec.kind}): give step, or project together with stepProjected.`);
  const rawStep =
    spec.step ??
    ((params: P, state: S, x: Tensor) => {
      const xs = project!(params, x);
      try {
        return stepProjected!(params, state, xs);
      } finally {
        xs.dispose();
      }
    });
  const cell: Cell<P, S> = {
    kind: spec.kind,
    inputSize: spec.inputSize,
    hiddenSize: spec.hiddenSize,
    outputSize: spec.outputSize ?? spec.hiddenSize,
    stateSizes: spec.stateSizes,
    dtype,
    ...(spec.sequenceKernel ? { sequenceKernel: spec.sequenceKernel } : {}),
    init: (rng, backend) => spec.init(rng, backend),
    zeroState(batch, backend) {
      const state: Record<string, Tensor> = {};
      for (const [name, size] of Object.entries<number>(spec.stateSizes)) state[name] = zeros(backend, [batch, size], dtype);
      return state as S;
    },
    step(params, state, x) {
      if (x.rank !== 2 || x.shape[1] !== spec.inputSize)
        fail(`${spec.kind}.step: x must be [B, ${spec.inputSize}] (B batch, ${spec.inputSize} input features), got ${fmtShape(x.shape)}.`);
      checkState(spec.kind, spec.stateSizes, state, x.shape[0]!);
      return rawStep(params, state, x);
    },
    ...(project ? { project: (params: P, xs: Tensor) => project(params, xs) } : {}),
    ...(stepProjected ? { stepProjected: (params: P, state: S, xp: Tensor) => stepProjected(params, state, xp) } : {}),
  };
  return cell;
}

/** Checks every state tensor is [B, size]; the message names the state, its shape and the expected one. */
export function checkState(kind: string, sizes: Readonly<Record<string, number>>, state: CellState, batch: number): void {
  for (const [name, size] of Object.entries(sizes)) {
    const s = state[name];
    if (!s) fail(`${kind}: state is missing '${name}' (expected [${batch}, ${size}]); build it with cell.zeroState(batch, backend).`);
    if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== size)
      fail(`${kind}: state '${name}' must be [${batch}, ${size}] for a batch of ${batch}, got ${fmtShape(s.shape)}.`);
  }
}

/** x W_ihᵀ + b_ih over any leading axes: the input projection shared by the built-in cells. */
export function inputProjection(weightIh: Tensor, biasIh: Tensor | undefined, xs: Tensor): Tensor {
  return affine(xs, weightIh, biasIh);
}
