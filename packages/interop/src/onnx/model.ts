import { fmtShape } from '@rnnkit/tensor';
import { host, transpose2d, type HostTensor } from '../host.js';
import { formatError, layerInputSize, stackOutputSize, validateStack, type InteropNetwork, type RecurrentStack } from '../spec.js';
import { fromOnnxLayer, toOnnxLayer } from './convert.js';
import { AttrType, DataType, decodeModel, encodeModel, type AttributeJson, type ModelJson, type NodeJson, type TensorJson, type ValueInfoJson } from './proto.js';

const SOURCE = 'ONNX model';

/** A tensor constant of an ONNX graph as f32 (float32 data only; int64 as numbers for shape constants). */
function readTensor(t: TensorJson, where: string): HostTensor {
  const dims = (t.dims ?? []).map(Number);
  const n = dims.reduce((a, b) => a * b, 1);
  const name = t.name ?? '';
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0)
    formatError(`${where}: tensor '${name}' is stored in an external file; save the model with its weights inside (onnx.save(model, save_as_external_data=False)).`);
  if (t.data_type !== DataType.FLOAT) formatError(`${where}: tensor '${name}' has ONNX data type ${t.data_type}; interop reads float32 (1) weights only.`);
  let data: Float32Array;
  if (t.raw_data && t.raw_data.length) {
    if (t.raw_data.length !== 4 * n) formatError(`${where}: tensor '${name}' ${fmtShape(dims)} has ${t.raw_data.length} raw bytes, expected ${4 * n}.`);
    data = new Float32Array(n);
    new Uint8Array(data.buffer).set(t.raw_data);
  } else {
    const fd = t.float_data ?? [];
    if (fd.length !== n) formatError(`${where}: tensor '${name}' ${fmtShape(dims)} has ${fd.length} values, expected ${n}.`);
    data = Float32Array.from(fd);
  }
  return host(data, dims);
}

function attrValue(a: AttributeJson): unknown {
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  switch (a.type) {
    case AttrType.FLOAT: return a.f ?? 0;
    case AttrType.INT: return Number(a.i ?? 0);
    case AttrType.STRING: return dec(a.s ?? new Uint8Array());
    case AttrType.FLOATS: return a.floats ?? [];
    case AttrType.INTS: return (a.ints ?? []).map(Number);
    case AttrType.STRINGS: return (a.strings ?? []).map(dec);
    case AttrType.TENSOR: return a.t;
    default:
      // Untyped attributes (older writers): take whichever field is set.
      if (a.s) return dec(a.s);
      if (a.strings?.length) return a.strings.map(dec);
      if (a.ints?.length) return a.ints.map(Number);
      if (a.floats?.length) return a.floats;
      if (a.t) return a.t;
      if (a.i !== undefined) return Number(a.i);
      return a.f;
  }
}

function attributes(node: NodeJson): Record<string, unknown> {
  return Object.fromEntries((node.attribute ?? []).map((a) => [a.name, attrValue(a)]));
}

/** Everything interop read from an ONNX model. */
export interface OnnxImport {
  readonly network: InteropNetwork;
  /** For each stack, the names of the ONNX nodes it came from (one per layer). */
  readonly nodes: readonly (readonly string[])[];
  readonly producer: string;
  readonly opset: number;
}

const RECURRENT_OPS = new Set(['LSTM', 'GRU', 'RNN']);

function sameLayerSpec(a: RecurrentStack, b: RecurrentStack): boolean {
  const x = a.spec;
  const y = b.spec;
  return x.kind === y.kind && x.hiddenSize === y.hiddenSize && x.bidirectional === y.bidirectional && x.bias === y.bias && x.activation === y.activation &&
    x.resetAfter === y.resetAfter && Boolean(x.peepholes) === Boolean(y.peepholes) && y.inputSize === stackOutputSize(x);
}

/**
 * Imports an ONNX model with recurrent operators (LSTM, GRU, RNN), decoded with protobufjs. Each
 * recurrent node with constant W, R (and B, P) becomes one layer; consecutive nodes of the same
 * configuration whose sizes chain become one multi-layer stack, as torch.onnx.export writes a
 * multi-layer nn.LSTM. A chain-shaped network is recognised around them: a Gather from a
 * constant [V, E] table before the first recurrent node (the embedding), and after the last a
 * MatMul by a constant [K, O] (+ Add of a constant [O]) or a Gemm (the linear head). Anything
 * rnnkit cannot compute exactly (clip, input_forget, other activations, direction 'reverse') is
 * refused with the reason.
 */
export function importOnnx(bytes: Uint8Array): OnnxImport {
  let model: ModelJson;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    return formatError(`${SOURCE}: the bytes are not an ONNX ModelProto (${e instanceof Error ? e.message : String(e)}).`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length) formatError(`${SOURCE}: the file has no graph nodes; is it an ONNX model?`);
  const constants = new Map<string, TensorJson>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', t);
  for (const n of graph.node ?? []) {
    if (n.op_type === 'Constant' && n.output?.[0]) {
      const v = attributes(n).value as TensorJson | undefined;
      if (v) constants.set(n.output[0], v);
    }
  }
  const constant = (name: string | undefined, where: string): HostTensor | undefined => {
    if (!name) return undefined;
    const t = constants.get(name);
    return t ? readTensor({ ...t, name }, where) : undefined;
  };
  const nodes = graph.node ?? [];
  const stacks: RecurrentStack[] = [];
  const stackNodes: string[][] = [];
  let firstRecurrent = -1;
  let lastRecurrent = -1;
  nodes.forEach((n, idx) => {
    if (!RECURRENT_OPS.has(n.op_type) || (n.domain ?? '') !== '') return;
    const name = n.name || `${n.op_type}#${idx}`;
    const where = `ONNX ${n.op_type} node '${name}'`;
    const inputs = n.input ?? [];
    const stack = fromOnnxLayer(n.op_type, attributes(n), {
      W: constant(inputs[1], where),
      R: constant(inputs[2], where),
      B: constant(inputs[3], where),
      ...(n.op_type === 'LSTM' ? { P: constant(inputs[7], where) } : {}),
    }, name);
    const prev = stacks[stacks.length - 1];
    if (prev && idx > 0 && sameLayerSpec(prev, stack)) {
      stacks[stacks.length - 1] = {
        spec: { ...prev.spec, numLayers: prev.spec.numLayers + 1 },
        params: { layers: [...prev.params.layers, ...stack.params.layers] },
      };
      stackNodes[stackNodes.length - 1]!.push(name);
    } else {
      stacks.push(stack);
      stackNodes.push([name]);
    }
    if (firstRecurrent < 0) firstRecurrent = idx;
    lastRecurrent = idx;
  });
  if (stacks.length === 0) formatError(`${SOURCE}: no LSTM, GRU or RNN node in the graph.`);
  let embedding: InteropNetwork['embedding'];
  for (const n of nodes.slice(0, firstRecurrent)) {
    if (n.op_type !== 'Gather') continue;
    const table = constants.get(n.input?.[0] ?? '');
    if (!table || table.data_type !== DataType.FLOAT || (table.dims ?? []).length !== 2) continue;
    const weight = readTensor({ ...table, name: n.input![0]! }, SOURCE);
    if (weight.shape[1] !== stacks[0]!.spec.inputSize)
      formatError(`${SOURCE}: embedding table '${n.input![0]}' has shape ${fmtShape(weight.shape)}, expected [V, ${stacks[0]!.spec.inputSize}] to feed the first recurrent node.`);
    embedding = { weight };
  }
  let head: InteropNetwork['head'];
  const K = stackOutputSize(stacks[stacks.length - 1]!.spec);
  const after = nodes.slice(lastRecurrent + 1);
  for (let i = 0; i < after.length && !head; i++) {
    const n = after[i]!;
    if (n.op_type === 'MatMul') {
      const wt = constant(n.input?.[1], SOURCE);
      if (!wt || wt.shape.length !== 2) continue;
      if (wt.shape[0] !== K) formatError(`${SOURCE}: MatMul '${n.name ?? ''}' weight '${n.input![1]}' has shape ${fmtShape(wt.shape)}, expected [${K}, O].`);
      const out = n.output?.[0];
      const add = after.slice(i + 1).find((m) => m.op_type === 'Add' && m.input?.includes(out ?? ''));
      const biasName = add?.input?.find((x) => x !== out);
      const bias = add ? constant(biasName, SOURCE) : undefined;
      head = bias && bias.shape.length === 1 && bias.shape[0] === wt.shape[1] ? { weight: transpose2d(wt), bias } : { weight: transpose2d(wt) };
    } else if (n.op_type === 'Gemm') {
      const a = attributes(n);
      if ((a.alpha ?? 1) !== 1 || (a.beta ?? 1) !== 1 || a.transA) continue;
      const w = constant(n.input?.[1], SOURCE);
      if (!w) continue;
      const weight = a.transB ? w : transpose2d(w);
      const bias = constant(n.input?.[2], SOURCE);
      head = bias ? { weight, bias } : { weight };
    }
  }
  return {
    network: { ...(embedding ? { embedding } : {}), stacks, ...(head ? { head } : {}) },
    nodes: stackNodes,
    producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(),
    opset: model.opset_import?.find((o) => (o.domain ?? '') === '')?.version ?? 0,
  };
}

export interface OnnxExportOptions {
  /** Default opset 14 (every operator used here is unchanged since). */
  readonly opset?: number;
  /** Name of the graph input: 'ids' (int64 [T, B]) with an embedding, else 'x' (float [T, B, I]). */
  readonly inputName?: string;
  /** Name of the graph output (default 'output'), [T, B, O]. */
  readonly outputName?: string;
  readonly producerName?: string;
}

function tensorJson(name: string, t: HostTensor): TensorJson {
  return { name, dims: [...t.shape], data_type: DataType.FLOAT, raw_data: new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)) };
}

function int64Json(name: string, values: readonly number[]): TensorJson {
  return { name, dims: [values.length], data_type: DataType.INT64, int64_data: [...values] };
}

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): ValueInfoJson {
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } };
}

function attr(name: string, v: number | string | readonly string[] | readonly number[]): AttributeJson {
  const enc = (s: string) => new TextEncoder().encode(s);
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: enc(v) };
  if (typeof v[0] === 'string') return { name, type: AttrType.STRINGS, strings: (v as string[]).map(enc) };
  return { name, type: AttrType.INTS, ints: [...(v as number[])] };
}

/**
 * Writes an rnnkit network (embedding → recurrent stacks → linear head, each optional but the
 * stacks) as an ONNX model that onnxruntime runs: input 'ids' int64 [T, B] (with an embedding) or
 * 'x' float [T, B, I], output [T, B, O] (time-major, as rnnkit). Each layer is one LSTM/GRU/RNN
 * node (initial states zero), followed by Squeeze (one direction) or Transpose + Reshape (both
 * directions concatenated, forward first). Refuses projection and cell clipping, which ONNX's
 * LSTM cannot compute.
 */
export function exportOnnx(net: InteropNetwork, options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 14;
  if (opset < 14) formatError(`exportOnnx: opset ${opset} is too old; use 14 or later (Squeeze takes axes as an input from 13, GRU/LSTM/RNN layout from 14).`);
  net.stacks.forEach((s, i) => validateStack(s, `exportOnnx: stack ${i}`));
  const initializer: TensorJson[] = [];
  const node: NodeJson[] = [];
  const inputName = options.inputName ?? (net.embedding ? 'ids' : 'x');
  const outputName = options.outputName ?? 'output';
  let current = inputName;
  let features: number;
  const input: ValueInfoJson[] = [];
  if (net.embedding) {
    const [V, E] = net.embedding.weight.shape as [number, number];
    initializer.push(tensorJson('embedding.weight', net.embedding.weight));
    input.push(valueInfo(inputName, DataType.INT64, ['T', 'B']));
    node.push({ op_type: 'Gather', name: 'embedding', input: ['embedding.weight', current], output: ['embedding.out'], attribute: [attr('axis', 0)] });
    current = 'embedding.out';
    features = E;
    if (net.stacks[0] && net.stacks[0].spec.inputSize !== E) formatError(`exportOnnx: the embedding gives ${E} features (V ${V}), the first stack takes ${net.stacks[0].spec.inputSize}.`);
  } else {
    features = net.stacks[0]!.spec.inputSize;
    input.push(valueInfo(inputName, DataType.FLOAT, ['T', 'B', features]));
  }
  if (net.stacks.some((s) => !s.spec.bidirectional)) initializer.push(int64Json('axes_1', [1]));
  if (net.stacks.some((s) => s.spec.bidirectional)) initializer.push(int64Json('shape_TB_', [0, 0, -1]));
  net.stacks.forEach((stack, s) => {
    if (stack.spec.inputSize !== features) formatError(`exportOnnx: stack ${s} takes ${stack.spec.inputSize} features but receives ${features}.`);
    for (let k = 0; k < stack.spec.numLayers; k++) {
      const layer = toOnnxLayer(stack, k);
      const p = `stack${s}.l${k}`;
      initializer.push(tensorJson(`${p}.W`, layer.W), tensorJson(`${p}.R`, layer.R));
      if (layer.B) initializer.push(tensorJson(`${p}.B`, layer.B));
      if (layer.P) initializer.push(tensorJson(`${p}.P`, layer.P));
      const ins = [current, `${p}.W`, `${p}.R`, layer.B ? `${p}.B` : ''];
      if (layer.P) ins.push('', '', '', `${p}.P`);
      const a = layer.attributes;
      const attribute = [attr('hidden_size', a.hidden_size), attr('direction', a.direction)];
      if (a.linear_before_reset !== undefined) attribute.push(attr('linear_before_reset', a.linear_before_reset));
      if (a.activations) attribute.push(attr('activations', a.activations));
      node.push({ op_type: layer.op, name: p, input: ins, output: [`${p}.Y`], attribute });
      if (stack.spec.bidirectional) {
        node.push({ op_type: 'Transpose', name: `${p}.transpose`, input: [`${p}.Y`], output: [`${p}.YT`], attribute: [attr('perm', [0, 2, 1, 3])] });
        node.push({ op_type: 'Reshape', name: `${p}.concat`, input: [`${p}.YT`, 'shape_TB_'], output: [`${p}.out`] });
      } else node.push({ op_type: 'Squeeze', name: `${p}.squeeze`, input: [`${p}.Y`, 'axes_1'], output: [`${p}.out`] });
      current = `${p}.out`;
      features = stackOutputSize(stack.spec);
      if (k + 1 < stack.spec.numLayers && layerInputSize(stack.spec, k + 1) !== features) formatError(`exportOnnx: stack ${s} layer ${k + 1} sizes do not chain.`);
    }
  });
  if (net.head) {
    const { weight, bias } = net.head;
    if (weight.shape[1] !== features) formatError(`exportOnnx: head weight has shape ${fmtShape(weight.shape)}, expected [O, ${features}].`);
    initializer.push(tensorJson('head.weight_t', transpose2d(weight)));
    node.push({ op_type: 'MatMul', name: 'head.matmul', input: [current, 'head.weight_t'], output: [bias ? 'head.mm' : outputName] });
    if (bias) {
      initializer.push(tensorJson('head.bias', bias));
      node.push({ op_type: 'Add', name: 'head.add', input: ['head.mm', 'head.bias'], output: [outputName] });
    }
    features = weight.shape[0]!;
  } else node.push({ op_type: 'Identity', name: 'output', input: [current], output: [outputName] });
  const model: ModelJson = {
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    producer_name: options.producerName ?? 'rnnkit',
    producer_version: '0.1.0',
    graph: { name: 'rnnkit', node, initializer, input, output: [valueInfo(outputName, DataType.FLOAT, ['T', 'B', features])] },
  };
  return encodeModel(model);
}
