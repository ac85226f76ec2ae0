import { fmtShape } from '@rnnkit/tensor';
import { expectShape, type HostTensor, type HostTensors } from './host.js';
import {
  expectedCellShapes, formatError, refuse, validateStack, type HostCellParams, type InteropNetwork, type RecurrentKind,
  type RecurrentSpec, type RecurrentStack,
} from './spec.js';

const TARGET = 'PyTorch';

/** The PyTorch state-dict name of an rnnkit cell parameter: weight_ih → weight_ih_l{k}[_reverse]. */
export function pytorchName(param: string, layer: number, reverse: boolean): string {
  return `${param}_l${layer}${reverse ? '_reverse' : ''}`;
}

/** Throws `ConversionRefused` when PyTorch's nn.RNN/LSTM/GRU cannot compute the same function as `spec`. */
export function checkPytorchCompatible(spec: RecurrentSpec): void {
  if (spec.kind === 'gru' && spec.resetAfter === false)
    refuse(TARGET, "nn.GRU is reset-after (n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))); this GRU is reset-before (n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)), a different function: no rearrangement of the weights turns one into the other.");
  if (spec.kind === 'lstm' && spec.peepholes) refuse(TARGET, 'nn.LSTM has no peephole connections; this LSTM has peephole_i/f/o, which cannot be dropped without changing its outputs.');
  if (spec.kind === 'lstm' && spec.cellClip !== undefined) refuse(TARGET, `nn.LSTM cannot clip its cell state; this LSTM clips c to ±${spec.cellClip} (cellClip).`);
}

/**
 * Writes a recurrent stack as the state dict of PyTorch's nn.RNN/LSTM/GRU: `weight_ih_l{k}`
 * [G·H, I_k], `weight_hh_l{k}` [G·H, R], `bias_ih_l{k}`, `bias_hh_l{k}` [G·H], `weight_hr_l{k}`
 * [P, H], each with `_reverse` for the reverse direction; gate rows in rnnkit's order, which is
 * PyTorch's (LSTM i, f, g, o; GRU r, z, n). `prefix` names the module ('rnn.' gives 'rnn.weight_ih_l0').
 * Refuses reset-before GRUs, peepholes and cell clipping, which nn.* modules lack.
 */
export function toPytorchStateDict(stack: RecurrentStack, prefix = ''): Map<string, HostTensor> {
  checkPytorchCompatible(stack.spec);
  validateStack(stack, TARGET);
  const out = new Map<string, HostTensor>();
  stack.params.layers.forEach((layer, k) => {
    for (const [dir, p] of [['forward', layer.forward], ['reverse', layer.reverse]] as const) {
      if (!p) continue;
      for (const [name, t] of Object.entries(p)) out.set(prefix + pytorchName(name, k, dir === 'reverse'), t);
    }
  });
  return out;
}

export interface PytorchImportOptions {
  /** Module prefix, e.g. 'rnn.' for a submodule called rnn (default ''). */
  readonly prefix?: string;
  /** nn.RNN's nonlinearity, which a state dict does not record (default 'tanh'). */
  readonly activation?: 'tanh' | 'relu';
  /** Checked against what the shapes say, when given. */
  readonly kind?: RecurrentKind;
}

/**
 * Reads a recurrent stack from a PyTorch state dict of nn.RNN/LSTM/GRU (the module under
 * `prefix`). Kind, sizes, layers, directions, bias and proj_size come from the names and shapes;
 * nn.RNN's nonlinearity is not stored, so it comes from `options.activation`. GRUs are
 * reset-after (nn.GRU's only mode).
 */
export function fromPytorchStateDict(tensors: HostTensors, options: PytorchImportOptions = {}): RecurrentStack {
  const prefix = options.prefix ?? '';
  const where = `PyTorch state dict${prefix ? ` (module '${prefix.replace(/\.$/, '')}')` : ''}`;
  const ih0 = tensors.get(`${prefix}weight_ih_l0`);
  const hh0 = tensors.get(`${prefix}weight_hh_l0`);
  if (!ih0 || !hh0) {
    const names = [...tensors.keys()];
    formatError(`${where}: missing tensor '${prefix}weight_${ih0 ? 'hh' : 'ih'}_l0' of an nn.RNN/LSTM/GRU; the file holds ${names.length} tensors (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}).`);
  }
  if (ih0.shape.length !== 2 || hh0.shape.length !== 2) formatError(`${where}: '${prefix}weight_ih_l0' and '${prefix}weight_hh_l0' must be matrices, got ${fmtShape(ih0.shape)} and ${fmtShape(hh0.shape)}.`);
  const hr0 = tensors.get(`${prefix}weight_hr_l0`);
  const H = hr0 ? hr0.shape[1]! : hh0.shape[1]!;
  const G = hh0.shape[0]! / H;
  const kind: RecurrentKind | undefined = G === 1 ? 'rnn' : G === 3 ? 'gru' : G === 4 ? 'lstm' : undefined;
  if (!kind || !Number.isInteger(G))
    formatError(`${where}: '${prefix}weight_hh_l0' has shape ${fmtShape(hh0.shape)}: ${hh0.shape[0]} rows are not 1, 3 or 4 times the hidden size ${H} (RNN, GRU, LSTM).`);
  if (options.kind && options.kind !== kind) formatError(`${where}: expected an ${options.kind}, but '${prefix}weight_hh_l0' ${fmtShape(hh0.shape)} is an ${kind}'s.`);
  let numLayers = 0;
  while (tensors.has(`${prefix}weight_ih_l${numLayers}`)) numLayers++;
  const bidirectional = tensors.has(`${prefix}weight_ih_l0_reverse`);
  const spec: RecurrentSpec = {
    kind,
    inputSize: ih0.shape[1]!,
    hiddenSize: H,
    numLayers,
    bidirectional,
    bias: tensors.has(`${prefix}bias_ih_l0`),
    ...(kind === 'rnn' ? { activation: options.activation ?? 'tanh' } : {}),
    ...(kind === 'gru' ? { resetAfter: true } : {}),
    ...(kind === 'lstm' && hr0 ? { projSize: hr0.shape[0]! } : {}),
  };
  const layers = Array.from({ length: numLayers }, (_, k) => {
    const shapes = expectedCellShapes(spec, k);
    const read = (reverse: boolean): HostCellParams =>
      Object.fromEntries(Object.entries(shapes).map(([name, shape]) => {
        const full = prefix + pytorchName(name, k, reverse);
        return [name, expectShape(where, full, tensors.get(full), shape)];
      }));
    return bidirectional ? { forward: read(false), reverse: read(true) } : { forward: read(false) };
  });
  return { spec, params: { layers } };
}

/** Module names of a network in a PyTorch state dict. */
export interface PytorchNetworkNames {
  /** nn.Embedding's module name (its tensor is `${embedding}.weight`). */
  readonly embedding?: string;
  /** One nn.RNN/LSTM/GRU module name per recurrent stack, in order. */
  readonly stacks: readonly string[];
  /** nn.Linear's module name (`${head}.weight`, `${head}.bias`). */
  readonly head?: string;
}

/** The recurrent module prefixes in a state dict ('' for a bare module), in first-seen order. */
export function findPytorchRecurrentModules(tensors: HostTensors): string[] {
  const found: string[] = [];
  for (const name of tensors.keys()) {
    const m = /^(.*?)weight_ih_l0$/.exec(name);
    if (m && !found.includes(m[1]!)) found.push(m[1]!);
  }
  return found.map((p) => p.replace(/\.$/, ''));
}

/** Writes a whole network as a PyTorch state dict with the given module names. */
export function toPytorchNetworkStateDict(net: InteropNetwork, names: PytorchNetworkNames): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  if (net.embedding) {
    if (!names.embedding) formatError('PyTorch export: the network has an embedding; give its module name (names.embedding).');
    out.set(`${names.embedding}.weight`, net.embedding.weight);
  }
  if (names.stacks.length !== net.stacks.length) formatError(`PyTorch export: ${names.stacks.length} module names for ${net.stacks.length} recurrent stacks.`);
  net.stacks.forEach((s, i) => {
    for (const [k, v] of toPytorchStateDict(s, names.stacks[i] ? `${names.stacks[i]}.` : '')) out.set(k, v);
  });
  if (net.head) {
    if (!names.head) formatError('PyTorch export: the network has a linear head; give its module name (names.head).');
    out.set(`${names.head}.weight`, net.head.weight);
    if (net.head.bias) out.set(`${names.head}.bias`, net.head.bias);
  }
  return out;
}

/**
 * Reads a network from a PyTorch state dict. Without `names.stacks`, every module with a
 * `weight_ih_l0` is a recurrent stack (in the file's order, which safetensors sorts by name).
 */
export function fromPytorchNetworkStateDict(
  tensors: HostTensors,
  names: Partial<PytorchNetworkNames> = {},
  options: Omit<PytorchImportOptions, 'prefix'> = {},
): InteropNetwork {
  const stackNames = names.stacks ?? findPytorchRecurrentModules(tensors);
  if (stackNames.length === 0) formatError(`PyTorch state dict: no nn.RNN/LSTM/GRU tensors (no name ends in 'weight_ih_l0').`);
  const stacks = stackNames.map((n) => fromPytorchStateDict(tensors, { ...options, prefix: n ? `${n}.` : '' }));
  const get = (name: string) => tensors.get(name) ?? formatError(`PyTorch state dict: missing tensor '${name}'.`);
  let embedding: InteropNetwork['embedding'];
  if (names.embedding) {
    const weight = get(`${names.embedding}.weight`);
    if (weight.shape.length !== 2 || weight.shape[1] !== stacks[0]!.spec.inputSize)
      formatError(`PyTorch state dict: tensor '${names.embedding}.weight' has shape ${fmtShape(weight.shape)}, expected [V, ${stacks[0]!.spec.inputSize}].`);
    embedding = { weight };
  }
  let head: InteropNetwork['head'];
  if (names.head) {
    const weight = get(`${names.head}.weight`);
    const last = stacks[stacks.length - 1]!.spec;
    const K = (last.bidirectional ? 2 : 1) * (last.projSize || last.hiddenSize);
    if (weight.shape.length !== 2 || weight.shape[1] !== K) formatError(`PyTorch state dict: tensor '${names.head}.weight' has shape ${fmtShape(weight.shape)}, expected [O, ${K}].`);
    const bias = tensors.get(`${names.head}.bias`);
    if (bias) expectShape('PyTorch state dict', `${names.head}.bias`, bias, [weight.shape[0]!]);
    head = bias ? { weight, bias } : { weight };
  }
  return { ...(embedding ? { embedding } : {}), stacks, ...(head ? { head } : {}) };
}

