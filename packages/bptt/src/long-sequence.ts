import { checkpoint, valueAndGradWithAux } from '@rnnkit/autograd';
import { add, fail, treeLeaves, treeMap, type CellState, type ParamTree, type Tensor, type TreeOf } from '@rnnkit/tensor';
import { disposeState } from './internal/state.js';
import { segments, truncatedWindows, type Window } from './windows.js';

/**
 * The model and loss over one window of a long sequence, starting from `state`: returns the
 * window's loss (a scalar, counted on [lossStart, end)) and the state at `end`. Upload the window's
 * inputs and compute the head inside it, so only a scalar and a state leave the window.
 */
export type WindowLoss<P extends ParamTree, S extends CellState> = (params: P, window: Window, state: S) => readonly [loss: Tensor, state: S];

export interface SegmentedOptions<P extends ParamTree, S extends CellState> {
  /** Total number of steps. */
  readonly length: number;
  /** Steps per segment; √length keeps checkpointed memory lowest (the default). */
  readonly segment?: number;
  /** 'full': every activation is kept (memory ∝ T). 'checkpointed': only segment boundaries are, and segments are recomputed in the backward (memory ∝ √T). */
  readonly mode?: 'full' | 'checkpointed';
  readonly initialState: S;
  readonly loss: WindowLoss<P, S>;
}

/**
 * Exact gradient of the summed loss over a long sequence, computed segment by segment. With
 * mode 'checkpointed' peak memory grows like √T instead of T, at the cost of a second forward.
 * Returns the total loss, gradients of every parameter, and the final state (all yours).
 */
export function segmentedBptt<P extends ParamTree, S extends CellState>(params: P, options: SegmentedOptions<P, S>) {
  const { length, mode = 'checkpointed', initialState, loss } = options;
  const size = options.segment ?? Math.max(1, Math.round(Math.sqrt(length)));
  const names = Object.keys(initialState);
  const nLeaves = treeLeaves(params).length;
  const rebuild = (leaves: readonly Tensor[]) => {
    let i = 0;
    return treeMap(params, () => leaves[i++]!) as unknown as P;
  };
  const runSegment = (p: P, window: Window, state: S): readonly [Tensor, S] => {
    if (mode === 'full') return loss(p, window, state);
    // Inputs are the parameter leaves and the state: all the recomputation needs.
    const seg = checkpoint((...xs: Tensor[]) => {
      const [l, s] = loss(rebuild(xs.slice(0, nLeaves)), window, Object.fromEntries(names.map((k, i) => [k, xs[nLeaves + i]!])) as S);
      return [l, ...names.map((k) => s[k]!)];
    });
    const [l, ...sv] = seg(...treeLeaves(p), ...names.map((k) => state[k]!));
    return [l!, Object.fromEntries(names.map((k, i) => [k, sv[i]!])) as S];
  };
  if (mode !== 'full' && mode !== 'checkpointed') fail(`segmentedBptt: mode must be 'full' or 'checkpointed', got '${String(mode)}'.`);
  const run = valueAndGradWithAux((p: P) => {
    let state = initialState;
    let total: Tensor | undefined;
    for (const window of segments(length, size)) {
      const [l, next] = runSegment(p, window, state);
      if (state !== initialState) disposeState(state);
      state = next;
      const sum = total ? add(total, l) : l;
      if (total) {
        total.dispose();
        l.dispose();
      }
      total = sum;
    }
    return [total!, state] as const;
  });
  const { value, grads, aux } = run(params);
  return { value, grads: grads, state: aux };
}

export interface TruncatedOptions<P extends ParamTree, S extends CellState> {
  readonly length: number;
  /** Steps between updates. */
  readonly k1: number;
  /** Steps backpropagated per update (a multiple of k1; default k1). */
  readonly k2?: number;
  readonly initialState: S;
  readonly loss: WindowLoss<P, S>;
  /** The current parameters (read before each window, so updates take effect). */
  readonly params: () => P;
  /** Called after each window with its loss and gradients; both are freed when it returns. */
  readonly update: (grads: TreeOf<P, Tensor>, loss: Tensor, window: Window) => void;
}

/**
 * Truncated BPTT over a long sequence: the state is carried from window to window and detached
 * (no gradient crosses a window's start), so memory stays constant however long the sequence.
 * Returns the final state (yours).
 */
export function truncatedBptt<P extends ParamTree, S extends CellState>(options: TruncatedOptions<P, S>): S {
  const { initialState, loss } = options;
  const windows = truncatedWindows(options.length, options.k1, options.k2);
  const states = new Map<number, S>([[0, initialState]]);
  let last = initialState;
  for (const window of windows) {
    const start = states.get(window.start)!;
    const { value, grads, aux } = valueAndGradWithAux((p: P) => loss(p, window, start))(options.params());
    try {
      options.update(grads, value, window);
    } finally {
      value.dispose();
      for (const g of treeLeaves(grads as unknown as ParamTree)) g.dispose();
    }
    states.set(window.end, aux);
    last = aux;
    // States before the next window's start are no longer needed.
    const nextStart = windows[windows.indexOf(window) + 1]?.start ?? window.end;
    for (const [t, s] of states) {
      if (t < nextStart && s !== initialState) disposeState(s);
      if (t < nextStart) states.delete(t);
    }
  }
  return last;
}
