import { scope, type Backend, type Cell, type CellState, type Tensor } from '@rnnkit/tensor';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { recurrent, type Recurrent, type RecurrentParams, type RecurrentStates, type RunOptions } from '@rnnkit/bptt';
import { embedding, linear } from '@rnnkit/nn';
import { toHost, toTensor } from './host.js';
import { validateStack, type HostCellParams, type InteropNetwork, type RecurrentSpec, type RecurrentStack } from './spec.js';

/** rnnkit cell parameters by name (weight_ih, weight_hh, …), as the built-in cells take them. */
export type CellTensors = { readonly [name: string]: Tensor };

/** The @rnnkit/cells cell a spec describes, for one layer with `inputSize` inputs. */
export function cellOf(spec: RecurrentSpec, inputSize: number): Cell<CellTensors, CellState> {
  const common = { inputSize, hiddenSize: spec.hiddenSize, bias: spec.bias !== false };
  let cell: Cell<never, never>;
  if (spec.kind === 'rnn') cell = rnn({ ...common, activation: spec.activation ?? 'tanh' }) as Cell<never, never>;
  else if (spec.kind === 'gru') cell = gru({ ...common, resetAfter: spec.resetAfter !== false }) as Cell<never, never>;
  else
    cell = lstm({
      ...common,
      ...(spec.projSize ? { projSize: spec.projSize } : {}),
      ...(spec.peepholes ? { peepholes: true } : {}),
      ...(spec.cellClip !== undefined ? { cellClip: spec.cellClip } : {}),
    }) as Cell<never, never>;
  return cell;
}

/** The @rnnkit/bptt `recurrent` stack a spec describes. */
export function recurrentOf(spec: RecurrentSpec): Recurrent<CellTensors, CellState> {
  return recurrent<CellTensors, CellState>({
    cell: (inputSize) => cellOf(spec, inputSize),
    inputSize: spec.inputSize,
    numLayers: spec.numLayers,
    bidirectional: spec.bidirectional,
  });
}

/** Uploads a stack's parameters as rnnkit `RecurrentParams` (the caller disposes them). */
export function stackToParams(stack: RecurrentStack, backend: Backend): RecurrentParams<CellTensors> {
  validateStack(stack);
  const up = (p: HostCellParams): CellTensors => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toTensor(v, backend)]));
  return { layers: stack.params.layers.map((l) => (l.reverse ? { forward: up(l.forward), reverse: up(l.reverse) } : { forward: up(l.forward) })) };
}

/**
 * Reads rnnkit `RecurrentParams` (as `recurrentOf(spec).init` makes them, or trained) into a
 * host stack that the adapters convert. Needs a backend with synchronous reads.
 */
export function stackFromParams(spec: RecurrentSpec, params: RecurrentParams<CellTensors>): RecurrentStack {
  const down = (p: CellTensors) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toHost(v)]));
  const stack: RecurrentStack = { spec, params: { layers: params.layers.map((l) => (l.reverse ? { forward: down(l.forward), reverse: down(l.reverse) } : { forward: down(l.forward) })) } };
  validateStack(stack);
  return stack;
}

export interface RunNetworkOptions {
  /** Per stack, its initial states (zeros when absent). */
  readonly initialStates?: readonly (RecurrentStates<CellState> | undefined)[];
  readonly run?: Omit<RunOptions<CellState>, 'initialStates'>;
}

/**
 * Runs an interop network in rnnkit: `input` is i32 ids [T, B] with an embedding, else
 * x [T, B, I]; the result is [T, B, O] (time-major). Uploads the parameters for this call and
 * frees them after.
 */
export function runNetwork(net: InteropNetwork, backend: Backend, input: Tensor, options: RunNetworkOptions = {}): Tensor {
  return scope(() => {
    let x = input;
    if (net.embedding) {
      const [V, E] = net.embedding.weight.shape as [number, number];
      x = embedding({ numEmbeddings: V, embeddingDim: E }).apply({ weight: toTensor(net.embedding.weight, backend) }, input);
    }
    net.stacks.forEach((stack, i) => {
      const initial = options.initialStates?.[i];
      x = recurrentOf(stack.spec).run(stackToParams(stack, backend), x, { ...options.run, ...(initial ? { initialStates: initial } : {}) }).ys;
    });
    if (net.head) {
      const { weight, bias } = net.head;
      const [O, K] = weight.shape as [number, number];
      x = bias
        ? linear({ inputSize: K, outputSize: O }).apply({ weight: toTensor(weight, backend), bias: toTensor(bias, backend) }, x)
        : linear({ inputSize: K, outputSize: O, bias: false }).apply({ weight: toTensor(weight, backend) }, x);
    }
    return x;
  });
}
