import { add, concat, fail, type Backend, type Cell, type CellState, type ParamTree, type Rng, type StepTap, type Tensor } from '@rnnkit/tensor';
import { dropout } from '@rnnkit/nn';
import { scan } from './scan.js';

export interface RecurrentOptions<P extends ParamTree, S extends CellState> {
  /** Builds the cell of each layer and direction; layer k > 0 gets the previous layer's output size. */
  readonly cell: (inputSize: number, layer: number, direction: Direction) => Cell<P, S>;
  readonly inputSize: number;
  readonly numLayers?: number;
  readonly bidirectional?: boolean;
  /** How the two directions' outputs combine: side by side [.., 2·O] (default) or added [.., O]. */
  readonly merge?: 'concat' | 'sum';
  /** Dropout on each layer's output except the last, while training (as PyTorch's `dropout`). */
  readonly dropout?: number;
}

export type Direction = 'forward' | 'reverse';

/** Parameters per layer and direction; PyTorch's weight_ih_l{k}[_reverse] is layers[k].forward|reverse.weight_ih. */
export type RecurrentParams<P extends ParamTree> = { readonly layers: readonly { readonly forward: P; readonly reverse?: P }[] };

/** Final states per layer and direction. */
export type RecurrentStates<S extends CellState> = readonly { readonly forward: S; readonly reverse?: S }[];

export interface RunOptions<S extends CellState> {
  readonly initialStates?: RecurrentStates<S>;
  readonly lengths?: readonly number[] | Int32Array;
  readonly mask?: Tensor;
  readonly padding?: 'right' | 'left';
  readonly packed?: boolean;
  readonly fused?: boolean;
  /** Enables dropout between layers; needs `rng`. */
  readonly training?: boolean;
  readonly rng?: Rng;
  readonly tap?: StepTap<S>;
}

export interface Recurrent<P extends ParamTree, S extends CellState> {
  readonly numLayers: number;
  readonly directions: readonly Direction[];
  /** Size of the last axis of `ys`. */
  readonly outputSize: number;
  readonly cells: readonly { readonly forward: Cell<P, S>; readonly reverse?: Cell<P, S> }[];
  init(rng: Rng, backend: Backend): RecurrentParams<P>;
  /** xs: [T, B, I] → ys: [T, B, outputSize] and every layer's final states. */
  run(params: RecurrentParams<P>, xs: Tensor, options?: RunOptions<S>): { ys: Tensor; states: RecurrentStates<S> };
}

/**
 * A stack of recurrent layers, optionally bidirectional, over any `Cell` — a user's own cell gets
 * stacking, both directions, variable lengths and packing from here.
 */
export function recurrent<P extends ParamTree, S extends CellState>(options: RecurrentOptions<P, S>): Recurrent<P, S> {
  const { numLayers = 1, bidirectional = false, merge = 'concat', dropout: p = 0 } = options;
  if (!Number.isInteger(numLayers) || numLayers < 1) fail(`recurrent: numLayers must be a positive integer, got ${numLayers}.`);
  const directions: Direction[] = bidirectional ? ['forward', 'reverse'] : ['forward'];
  const cells: { forward: Cell<P, S>; reverse?: Cell<P, S> }[] = [];
  let inputSize = options.inputSize;
  for (let layer = 0; layer < numLayers; layer++) {
    const forward = options.cell(inputSize, layer, 'forward');
    const reverse = bidirectional ? options.cell(inputSize, layer, 'reverse') : undefined;
    if (forward.inputSize !== inputSize) fail(`recurrent: the cell of layer ${layer} takes ${forward.inputSize} inputs but receives ${inputSize}; build it with the inputSize passed to options.cell.`);
    if (reverse && reverse.outputSize !== forward.outputSize) fail(`recurrent: layer ${layer}'s directions have different output sizes (${forward.outputSize} and ${reverse.outputSize}).`);
    cells.push(reverse ? { forward, reverse } : { forward });
    inputSize = bidirectional && merge === 'concat' ? 2 * forward.outputSize : forward.outputSize;
  }
  return {
    numLayers,
    directions,
    outputSize: inputSize,
    cells,
    // Parameters in PyTorch's order: layer by layer, forward before reverse.
    init: (rng, backend) => ({
      layers: cells.map((c) => (c.reverse ? { forward: c.forward.init(rng, backend), reverse: c.reverse.init(rng, backend) } : { forward: c.forward.init(rng, backend) })),
    }),
    run(params, xs, run = {}) {
      if (params.layers.length !== numLayers) fail(`recurrent: params have ${params.layers.length} layers, the model has ${numLayers}.`);
      if (run.initialStates && run.initialStates.length !== numLayers) fail(`recurrent: initialStates has ${run.initialStates.length} layers, the model has ${numLayers}.`);
      if (p > 0 && run.training && !run.rng) fail('recurrent: training with dropout needs an rng; pass { training: true, rng }.');
      const states: { forward: S; reverse?: S }[] = [];
      let input = xs;
      for (let layer = 0; layer < numLayers; layer++) {
        const common = { lengths: run.lengths, mask: run.mask, padding: run.padding, packed: run.packed, fused: run.fused, tap: run.tap, layer };
        const fwd = scan(cells[layer]!.forward, params.layers[layer]!.forward, input, clean({ ...common, initialState: run.initialStates?.[layer]?.forward }));
        let out = fwd.ys;
        if (bidirectional) {
          const rp = params.layers[layer]!.reverse ?? fail(`recurrent: layer ${layer} has no reverse parameters but the model is bidirectional.`);
          const rev = scan(cells[layer]!.reverse!, rp, input, clean({ ...common, reverse: true, initialState: run.initialStates?.[layer]?.reverse }));
          out = merge === 'concat' ? concat([fwd.ys, rev.ys], -1) : add(fwd.ys, rev.ys);
          fwd.ys.dispose();
          rev.ys.dispose();
          states.push({ forward: fwd.state, reverse: rev.state });
        } else states.push({ forward: fwd.state });
        if (p > 0 && run.training && layer < numLayers - 1) {
          const dropped = dropout(out, p, { training: true, rng: run.rng! });
          out.dispose();
          out = dropped;
        }
        if (input !== xs) input.dispose();
        input = out;
      }
      return { ys: input, states };
    },
  };
}

// Leaves out undefined options, so scan sees only what was given.
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
