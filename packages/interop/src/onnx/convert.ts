import { ONNX, gateOrder } from '../conventions.js';
import { concatRows, expectShape, host, inverse, reorderBlocks, sliceRows, type HostTensor } from '../host.js';
import { formatError, gatesOf, refuse, validateStack, type HostCellParams, type RecurrentKind, type RecurrentSpec, type RecurrentStack } from '../spec.js';

/** ONNX operator names of the recurrent kinds. */
export const ONNX_OPS: Record<RecurrentKind, 'RNN' | 'LSTM' | 'GRU'> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };

/** One layer of a stack as the inputs and attributes of an ONNX LSTM/GRU/RNN node. */
export interface OnnxRecurrentLayer {
  readonly op: 'RNN' | 'LSTM' | 'GRU';
  /** [D, G·H, I], gates along the rows in ONNX's order (LSTM i, o, f, c; GRU z, r, h). */
  readonly W: HostTensor;
  /** [D, G·H, H]. */
  readonly R: HostTensor;
  /** [D, 2·G·H]: [Wb, Rb] (rnnkit's bias_ih, bias_hh), absent without bias. */
  readonly B?: HostTensor;
  /** [D, 3H]: peepholes i, o, f. */
  readonly P?: HostTensor;
  readonly attributes: {
    readonly hidden_size: number;
    readonly direction: 'forward' | 'bidirectional';
    readonly linear_before_reset?: 0 | 1;
    readonly activations?: readonly string[];
  };
}

const T = 'ONNX';

/** Throws `ConversionRefused` when ONNX's recurrent operators cannot compute `spec` exactly. */
export function checkOnnxCompatible(spec: RecurrentSpec): void {
  if (spec.kind === 'lstm' && spec.projSize) refuse(T, `the LSTM operator has no projection; this LSTM projects h to ${spec.projSize} values (projSize).`);
  if (spec.kind === 'lstm' && spec.cellClip !== undefined)
    refuse(T, `rnnkit's cellClip clips the cell state c to ±${spec.cellClip} after each update (TensorFlow's cell_clip), while the LSTM operator's 'clip' attribute clips the gates' pre-activations (the cell inputs); they are different functions.`);
}

/**
 * Layer `layer` of a stack as an ONNX LSTM/GRU/RNN node's weights and attributes. Exact: rows are
 * only reordered (LSTM i, f, g, o → i, o, f, c; GRU r, z, n → z, r, h). A GRU's
 * linear_before_reset is 1 for reset-after and 0 for reset-before; peepholes go to P (i, o, f).
 */
export function toOnnxLayer(stack: RecurrentStack, layer: number): OnnxRecurrentLayer {
  const { spec } = stack;
  checkOnnxCompatible(spec);
  const order = gateOrder(ONNX, spec.kind);
  const l = stack.params.layers[layer]!;
  const dirs = (spec.bidirectional ? [l.forward, l.reverse!] : [l.forward]);
  const D = dirs.length;
  const H = spec.hiddenSize;
  const G = gatesOf(spec.kind) * H;
  const I = l.forward.weight_ih!.shape[1]!;
  const W = concatRows(dirs.map((p) => reorderBlocks(p.weight_ih!, order)), [D, G, I]);
  const R = concatRows(dirs.map((p) => reorderBlocks(p.weight_hh!, order)), [D, G, H]);
  const B = spec.bias !== false ? concatRows(dirs.flatMap((p) => [reorderBlocks(p.bias_ih!, order), reorderBlocks(p.bias_hh!, order)]), [D, 2 * G]) : undefined;
  const P = spec.kind === 'lstm' && spec.peepholes ? concatRows(dirs.flatMap((p) => [p.peephole_i!, p.peephole_o!, p.peephole_f!]), [D, 3 * H]) : undefined;
  const act = spec.kind === 'rnn' ? (spec.activation === 'relu' ? 'Relu' : 'Tanh') : undefined;
  return {
    op: ONNX_OPS[spec.kind],
    W,
    R,
    ...(B ? { B } : {}),
    ...(P ? { P } : {}),
    attributes: {
      hidden_size: H,
      direction: spec.bidirectional ? 'bidirectional' : 'forward',
      ...(spec.kind === 'gru' ? { linear_before_reset: spec.resetAfter === false ? 0 : 1 } : {}),
      ...(act ? { activations: Array.from({ length: D }, () => act) } : {}),
    },
  };
}

const DEFAULT_ACTIVATIONS: Record<string, readonly string[]> = { LSTM: ['sigmoid', 'tanh', 'tanh'], GRU: ['sigmoid', 'tanh'], RNN: ['tanh'] };

/** The attributes of an ONNX recurrent node that interop reads. */
export interface OnnxRecurrentAttributes {
  readonly hidden_size?: number;
  readonly direction?: string;
  readonly activations?: readonly string[];
  readonly activation_alpha?: readonly number[];
  readonly activation_beta?: readonly number[];
  readonly clip?: number;
  readonly input_forget?: number;
  readonly linear_before_reset?: number;
  readonly layout?: number;
}

/**
 * An ONNX LSTM/GRU/RNN node (its attributes and constant W, R, B, P) as a one-layer rnnkit stack.
 * Refused, with the reason: `clip` (gate-input clipping, which no rnnkit cell does), LSTM
 * `input_forget`, activations other than the defaults (RNN: Tanh or Relu), and direction 'reverse'
 * alone.
 */
export function fromOnnxLayer(
  op: string, attrs: OnnxRecurrentAttributes, w: { W?: HostTensor; R?: HostTensor; B?: HostTensor; P?: HostTensor }, nodeName = op,
): RecurrentStack {
  const where = `ONNX ${op} node '${nodeName}'`;
  const kind: RecurrentKind | undefined = op === 'LSTM' ? 'lstm' : op === 'GRU' ? 'gru' : op === 'RNN' ? 'rnn' : undefined;
  if (!kind) return formatError(`${where}: not a recurrent operator.`);
  const direction = attrs.direction ?? 'forward';
  if (direction === 'reverse') refuse(where, "direction 'reverse' runs a single direction backwards; rnnkit stacks run forward or bidirectional (use scan with reverse: true on the cell yourself).");
  if (direction !== 'forward' && direction !== 'bidirectional') formatError(`${where}: unknown direction '${direction}'.`);
  const D = direction === 'bidirectional' ? 2 : 1;
  if (attrs.clip !== undefined)
    refuse(where, `clip = ${attrs.clip} clips the gates' pre-activations (the cell inputs); rnnkit's cellClip clips the cell state (TensorFlow's cell_clip), a different function, and no rnnkit cell clips gate inputs.`);
  if (attrs.input_forget) refuse(where, 'input_forget = 1 couples the input and forget gates (f = 1 − i); rnnkit has no coupled LSTM.');
  const acts = (attrs.activations ?? []).map((a) => a.toLowerCase());
  let activation: 'tanh' | 'relu' | undefined;
  if (kind === 'rnn') {
    const a = acts.length ? acts : ['tanh'];
    if (!a.every((x) => x === a[0]) || (a[0] !== 'tanh' && a[0] !== 'relu'))
      refuse(where, `activations [${attrs.activations!.join(', ')}] have no rnnkit counterpart (rnnkit's rnn computes Tanh or Relu, the same in both directions).`);
    activation = a[0];
  } else if (acts.length) {
    const def = DEFAULT_ACTIVATIONS[op]!;
    const ok = acts.length === def.length * D && acts.every((a, k) => a === def[k % def.length]);
    if (!ok) refuse(where, `activations [${attrs.activations!.join(', ')}] have no rnnkit counterpart: rnnkit's ${kind} computes ${def.join(', ')} (ONNX's defaults).`);
  }
  if (attrs.activation_alpha?.length || attrs.activation_beta?.length) refuse(where, 'activation_alpha/activation_beta parameterise activations rnnkit does not have.');
  const Wt = w.W ?? formatError(`${where}: input W is not a constant (initializer or Constant node); interop imports constant weights only.`);
  const Rt = w.R ?? formatError(`${where}: input R is not a constant; interop imports constant weights only.`);
  const G = gatesOf(kind);
  const H = attrs.hidden_size ?? Rt.shape[2]!;
  const I = Wt.shape[2]!;
  expectShape(where, 'W', Wt, [D, G * H, I]);
  expectShape(where, 'R', Rt, [D, G * H, H]);
  if (w.B) expectShape(where, 'B', w.B, [D, 2 * G * H]);
  if (w.P) {
    if (kind !== 'lstm') formatError(`${where}: only LSTM takes P.`);
    expectShape(where, 'P', w.P, [D, 3 * H]);
  }
  const spec: RecurrentSpec = {
    kind,
    inputSize: I,
    hiddenSize: H,
    numLayers: 1,
    bidirectional: D === 2,
    bias: Boolean(w.B),
    ...(activation ? { activation } : {}),
    ...(kind === 'gru' ? { resetAfter: (attrs.linear_before_reset ?? 0) !== 0 } : {}),
    ...(w.P ? { peepholes: true } : {}),
  };
  const back = inverse(gateOrder(ONNX, kind));
  const dir = (d: number): HostCellParams => {
    const p: Record<string, HostTensor> = {
      weight_ih: reorderBlocks(sliceRows(Wt, d, d + 1, [G * H, I]), back),
      weight_hh: reorderBlocks(sliceRows(Rt, d, d + 1, [G * H, H]), back),
    };
    if (w.B) {
      const b = sliceRows(w.B, d, d + 1, [2 * G * H]);
      p.bias_ih = reorderBlocks(host(b.data.slice(0, G * H), [G * H]), back);
      p.bias_hh = reorderBlocks(host(b.data.slice(G * H), [G * H]), back);
    }
    if (w.P) {
      const pp = sliceRows(w.P, d, d + 1, [3 * H]).data;
      p.peephole_i = host(pp.slice(0, H), [H]);
      p.peephole_o = host(pp.slice(H, 2 * H), [H]);
      p.peephole_f = host(pp.slice(2 * H, 3 * H), [H]);
    }
    return p;
  };
  const stack: RecurrentStack = { spec, params: { layers: [D === 2 ? { forward: dir(0), reverse: dir(1) } : { forward: dir(0) }] } };
  validateStack(stack, where);
  return stack;
}
