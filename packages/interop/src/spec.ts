import { fmtShape } from '@rnnkit/tensor';
import { formatError } from './errors.js';

export { ConversionRefused, InteropFormatError, formatError, refuse } from './errors.js';
import { expectShape, type HostTensor } from './host.js';

/** The recurrent cells interop converts: @rnnkit/cells' rnn, lstm and gru. */
export type RecurrentKind = 'rnn' | 'lstm' | 'gru';

/**
 * What a stack of recurrent layers computes — enough to build it with @rnnkit/cells and
 * @rnnkit/bptt (`recurrent`) and to write it in another system's layout. Mirrors the options of
 * `rnn`, `lstm` and `gru` and of PyTorch's `nn.RNN/LSTM/GRU` modules.
 */
export interface RecurrentSpec {
  readonly kind: RecurrentKind;
  /** Input features of layer 0. */
  readonly inputSize: number;
  /** H, the size of each cell's state (LSTM: of c). */
  readonly hiddenSize: number;
  readonly numLayers: number;
  /** Both directions, outputs concatenated [forward, reverse] on the last axis. */
  readonly bidirectional: boolean;
  /** bias_ih and bias_hh present (default true). */
  readonly bias?: boolean;
  /** rnn: the nonlinearity (default 'tanh'). */
  readonly activation?: 'tanh' | 'relu';
  /** gru: reset-after (PyTorch, Keras' default, ONNX linear_before_reset=1) or reset-before (default true). */
  readonly resetAfter?: boolean;
  /** lstm: PyTorch's proj_size (0 or absent for none). */
  readonly projSize?: number;
  /** lstm: peephole connections peephole_i/f/o [H]. */
  readonly peepholes?: boolean;
  /** lstm: rnnkit's cellClip, which clips the cell state (TensorFlow's cell_clip). */
  readonly cellClip?: number;
}

/** One cell's parameters with @rnnkit/cells' (PyTorch's) names: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr, peephole_*. */
export type HostCellParams = Readonly<Record<string, HostTensor>>;

/** `RecurrentParams` of @rnnkit/bptt on the host: layers[k].forward / .reverse. */
export interface HostRecurrentParams {
  readonly layers: readonly { readonly forward: HostCellParams; readonly reverse?: HostCellParams }[];
}

/** A stack of recurrent layers with its parameters. */
export interface RecurrentStack {
  readonly spec: RecurrentSpec;
  readonly params: HostRecurrentParams;
}

/**
 * A network as interop sees it: an optional embedding (`nn.Embedding`, weight [V, E]), recurrent
 * stacks run one after the other (time-major), and an optional linear head (`nn.Linear`,
 * weight [O, K], bias [O]) applied at every step.
 */
export interface InteropNetwork {
  readonly embedding?: { readonly weight: HostTensor };
  readonly stacks: readonly RecurrentStack[];
  readonly head?: { readonly weight: HostTensor; readonly bias?: HostTensor };
}

export function gatesOf(kind: RecurrentKind): number {
  return kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
}

/** Size of each direction's output of a layer: projSize for projected LSTMs, else H. */
export function outputSizeOf(spec: RecurrentSpec): number {
  return spec.kind === 'lstm' && spec.projSize ? spec.projSize : spec.hiddenSize;
}

/** Input size of layer k. */
export function layerInputSize(spec: RecurrentSpec, layer: number): number {
  return layer === 0 ? spec.inputSize : (spec.bidirectional ? 2 : 1) * outputSizeOf(spec);
}

/** Output size of the whole stack. */
export function stackOutputSize(spec: RecurrentSpec): number {
  return (spec.bidirectional ? 2 : 1) * outputSizeOf(spec);
}

/** The shape every parameter of layer `layer` must have, by @rnnkit/cells name. */
export function expectedCellShapes(spec: RecurrentSpec, layer: number): Record<string, number[]> {
  const H = spec.hiddenSize;
  const G = gatesOf(spec.kind) * H;
  const R = outputSizeOf(spec);
  const shapes: Record<string, number[]> = { weight_ih: [G, layerInputSize(spec, layer)], weight_hh: [G, R] };
  if (spec.bias !== false) {
    shapes.bias_ih = [G];
    shapes.bias_hh = [G];
  }
  if (spec.kind === 'lstm' && spec.projSize) shapes.weight_hr = [spec.projSize, H];
  if (spec.kind === 'lstm' && spec.peepholes) for (const g of ['i', 'f', 'o']) shapes[`peephole_${g}`] = [H];
  return shapes;
}

/** Checks a stack's parameters against its spec: names, shapes, layer and direction counts. */
export function validateStack(stack: RecurrentStack, where = 'interop'): void {
  const { spec, params } = stack;
  if (params.layers.length !== spec.numLayers) formatError(`${where}: ${params.layers.length} layers of parameters for a ${spec.numLayers}-layer ${spec.kind}.`);
  params.layers.forEach((layer, k) => {
    for (const dir of spec.bidirectional ? (['forward', 'reverse'] as const) : (['forward'] as const)) {
      const p = layer[dir];
      if (!p) formatError(`${where}: layer ${k} has no ${dir} parameters but the ${spec.kind} is ${spec.bidirectional ? 'bidirectional' : 'unidirectional'}.`);
      const shapes = expectedCellShapes(spec, k);
      for (const [name, shape] of Object.entries(shapes)) expectShape(where, `layers[${k}].${dir}.${name}`, p[name], shape);
      for (const name of Object.keys(p))
        if (!(name in shapes)) formatError(`${where}: unexpected tensor 'layers[${k}].${dir}.${name}' ${fmtShape(p[name]!.shape)} for this ${spec.kind}.`);
    }
  });
}

export function describeSpec(spec: RecurrentSpec): string {
  const extras = [
    spec.kind === 'rnn' ? (spec.activation ?? 'tanh') : '',
    spec.kind === 'gru' ? (spec.resetAfter === false ? 'reset-before' : 'reset-after') : '',
    spec.projSize ? `projSize ${spec.projSize}` : '',
    spec.peepholes ? 'peepholes' : '',
    spec.cellClip !== undefined ? `cellClip ${spec.cellClip}` : '',
  ].filter(Boolean);
  return `${spec.kind}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}
