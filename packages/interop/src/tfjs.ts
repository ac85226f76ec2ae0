import { fmtShape } from '@rnnkit/tensor';
import { fromKerasCell } from './keras.js';
import { expectShape, host, transpose2d, type HostTensor } from './host.js';
import { formatError, refuse, stackOutputSize, type InteropNetwork, type RecurrentKind, type RecurrentSpec, type RecurrentStack } from './spec.js';

/** A tfjs layers-model `model.json` (what `model.save()` and tensorflowjs_converter write). */
export interface TfjsModelJson {
  readonly modelTopology: unknown;
  readonly format?: string;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly TfjsWeightSpec[] }[];
}

export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}

/** The weight shards: all bytes in manifest order, one array per path, or a reader by path. */
export type TfjsShards = Uint8Array | readonly Uint8Array[] | ((path: string) => Uint8Array);

type LayerJson = { readonly class_name: string; readonly config: Record<string, unknown> };

const SOURCE = 'tfjs model';

/** Reads every weight of a model.json + shards as named f32 host tensors, in manifest order. */
export function readTfjsWeights(model: TfjsModelJson, shards: TfjsShards): Map<string, HostTensor> {
  if (!model || !Array.isArray(model.weightsManifest)) formatError(`${SOURCE}: model.json has no weightsManifest; is it a tfjs layers model?`);
  const out = new Map<string, HostTensor>();
  let shardIndex = 0;
  const flat = shards instanceof Uint8Array ? shards : undefined;
  let flatOffset = 0;
  const manifest: TfjsModelJson['weightsManifest'] = model.weightsManifest;
  for (const group of manifest) {
    let bytes: Uint8Array;
    if (flat) bytes = flat.subarray(flatOffset);
    else if (typeof shards === 'function') bytes = concat(group.paths.map((p) => shards(p)));
    else {
      const list = shards as readonly Uint8Array[];
      bytes = concat(group.paths.map((p) => list[shardIndex++] ?? formatError(`${SOURCE}: no bytes given for weight shard '${p}'.`)));
    }
    let offset = 0;
    for (const w of group.weights) {
      if (w.quantization) formatError(`${SOURCE}: weight '${w.name}' is quantized; interop reads float32 weights only (quantization loses the exact values).`);
      if (w.dtype !== 'float32') formatError(`${SOURCE}: weight '${w.name}' is ${w.dtype}; interop reads float32 weights only.`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (offset + 4 * n > bytes.length)
        formatError(`${SOURCE}: the weight shards end before weight '${w.name}' ${fmtShape(w.shape)} (needs bytes [${offset}, ${offset + 4 * n}), the shards hold ${bytes.length}).`);
      const data = new Float32Array(n);
      new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + 4 * n));
      out.set(w.name, host(data, w.shape));
      offset += 4 * n;
    }
    flatOffset += offset;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function layersOf(topology: unknown): LayerJson[] {
  let t = topology as Record<string, unknown> | undefined;
  if (t && 'model_config' in t) t = t.model_config as Record<string, unknown>;
  const config = t?.config as Record<string, unknown> | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : (config?.layers as unknown[] | undefined);
  if (!Array.isArray(layers)) formatError(`${SOURCE}: modelTopology has no list of layers (expected a Sequential or a chain-shaped Functional model).`);
  return layers as LayerJson[];
}

const RECURRENT: Record<string, RecurrentKind> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };

/** The activation name as Keras writes it (tfjs writes camelCase for some, e.g. hardSigmoid → hard_sigmoid). */
function act(v: unknown): string {
  const s = typeof v === 'string' ? v : ((v as { class_name?: string } | undefined)?.class_name ?? String(v));
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The recurrent spec of a Keras LSTM/GRU/SimpleRNN config; refuses what rnnkit's cells cannot compute. */
export function kerasLayerSpec(className: string, config: Record<string, unknown>, inputSize: number, bidirectional: boolean): RecurrentSpec {
  const kind = RECURRENT[className]!;
  const name = typeof config.name === 'string' ? config.name : className;
  const where = `Keras ${className} '${name}'`;
  const activation = act(config.activation ?? 'tanh');
  if (kind === 'rnn') {
    if (activation !== 'tanh' && activation !== 'relu') refuse(where, `activation '${activation}' has no rnnkit counterpart (rnnkit's rnn cell computes tanh or relu).`);
  } else {
    if (activation !== 'tanh') refuse(where, `activation '${activation}' has no rnnkit counterpart (rnnkit's ${kind} cells use tanh).`);
    const rec = act(config.recurrent_activation ?? 'sigmoid');
    if (rec !== 'sigmoid')
      refuse(where, `recurrent_activation '${rec}' has no rnnkit counterpart: rnnkit's gates use the logistic sigmoid${rec === 'hard_sigmoid' ? " (hard_sigmoid is tfjs' default; build the layer with recurrentActivation: 'sigmoid')" : ''}.`);
  }
  if (config.go_backwards === true) refuse(where, 'go_backwards = true outside a Bidirectional wrapper returns the sequence reversed; rnnkit has no such layer.');
  if (config.return_sequences === false) refuse(where, 'return_sequences = false: interop imports recurrent layers that return the whole sequence (take the last step of the output yourself).');
  if (config.stateful === true) refuse(where, 'stateful = true carries state between batches, which a weight file does not describe.');
  const units = Number(config.units);
  if (!Number.isInteger(units) || units <= 0) formatError(`${where}: units must be a positive integer, got ${String(config.units)}.`);
  return {
    kind,
    inputSize,
    hiddenSize: units,
    numLayers: 1,
    bidirectional,
    bias: config.use_bias !== false,
    ...(kind === 'rnn' ? { activation: activation } : {}),
    ...(kind === 'gru' ? { resetAfter: config.reset_after === true } : {}),
  };
}

/** The weights of a layer: names `${layer}/…/kernel` etc.; for Bidirectional, split by a path segment starting with forward/backward. */
function layerWeights(weights: Map<string, HostTensor>, layer: string, direction?: 'forward' | 'backward'): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of weights) {
    if (!name.startsWith(`${layer}/`)) continue;
    const parts = name.split('/');
    if (direction && !parts.slice(1, -1).some((p) => p.startsWith(direction))) continue;
    const leaf = parts[parts.length - 1]!.replace(/:0$/, '');
    out[leaf] = t;
  }
  return out;
}

/**
 * Imports a tfjs layers model (model.json + weight shards): a chain of optional Embedding,
 * recurrent layers (LSTM, GRU — reset_after either way —, SimpleRNN, each possibly inside
 * Bidirectional with merge_mode 'concat'), Dropout (ignored: inference) and an optional final
 * Dense with a linear activation. Keras is batch-major [B, T, ·]; the imported network runs
 * time-major [T, B, ·] in rnnkit. Anything rnnkit cannot compute exactly is refused with the
 * reason (hard_sigmoid gates, other activations, go_backwards, masking, other layers).
 *
 * @example
 * const model = JSON.parse(readFileSync('model.json', 'utf8'));
 * const net = importTfjsModel(model, readFileSync('weights.bin'));
 */
export function importTfjsModel(model: TfjsModelJson | string, shards: TfjsShards): InteropNetwork {
  const json = (typeof model === 'string' ? JSON.parse(model) : model) as TfjsModelJson;
  const weights = readTfjsWeights(json, shards);
  const layers = layersOf(json.modelTopology);
  let embedding: InteropNetwork['embedding'];
  const stacks: RecurrentStack[] = [];
  let head: InteropNetwork['head'];
  let features: number | undefined;
  for (const layer of layers) {
    const cls = layer.class_name;
    const cfg = layer.config ?? {};
    const name = typeof cfg.name === 'string' ? cfg.name : cls;
    if (head) formatError(`${SOURCE}: layer '${name}' (${cls}) follows the Dense head; interop imports Dense only as the last layer.`);
    if (cls === 'InputLayer' || cls === 'Dropout' || cls === 'SpatialDropout1D') {
      const shape = (cfg.batch_input_shape ?? cfg.batch_shape) as (number | null)[] | undefined;
      if (cls === 'InputLayer' && shape && typeof shape[shape.length - 1] === 'number' && shape.length === 3) features = shape[2]!;
      continue;
    }
    if (cls === 'Embedding') {
      if (stacks.length || embedding) formatError(`${SOURCE}: Embedding '${name}' must be the first layer.`);
      if (cfg.mask_zero === true) refuse(`Keras Embedding '${name}'`, 'mask_zero = true masks steps inside the recurrent layers; an rnnkit network takes explicit lengths or a mask instead.');
      const w = layerWeights(weights, name);
      const V = Number(cfg.input_dim);
      const E = Number(cfg.output_dim);
      embedding = { weight: expectShape(`${SOURCE}: Embedding '${name}'`, `${name}/embeddings`, w.embeddings, [V, E]) };
      features = E;
      continue;
    }
    if (cls in RECURRENT || cls === 'Bidirectional') {
      const bidirectional = cls === 'Bidirectional';
      const inner = bidirectional ? (cfg.layer as LayerJson) : layer;
      if (bidirectional) {
        if ((cfg.merge_mode ?? 'concat') !== 'concat') refuse(`Keras Bidirectional '${name}'`, `merge_mode '${String(cfg.merge_mode)}': interop imports 'concat' (rnnkit's default merge).`);
        if (cfg.backward_layer) refuse(`Keras Bidirectional '${name}'`, 'a custom backward_layer is not supported.');
        if (!(inner.class_name in RECURRENT)) refuse(`Keras Bidirectional '${name}'`, `wraps ${inner.class_name}, which is not a recurrent layer rnnkit has.`);
      }
      const shape = (cfg.batch_input_shape ?? (inner.config?.batch_input_shape)) as (number | null)[] | undefined;
      if (features === undefined && shape && typeof shape[2] === 'number') features = shape[2];
      if (features === undefined) formatError(`${SOURCE}: cannot tell the input size of '${name}'; the model.json gives no input shape.`);
      // Inside Bidirectional the backward copy runs with go_backwards and re-reverses its output.
      const spec = kerasLayerSpec(inner.class_name, bidirectional ? { ...inner.config, go_backwards: false } : inner.config, features, bidirectional);
      const cellWhere = (d?: string) => `${SOURCE}: ${inner.class_name} '${name}'${d ? ` (${d})` : ''}`;
      const forward = fromKerasCell(spec, features, layerWeights(weights, name, bidirectional ? 'forward' : undefined), cellWhere(bidirectional ? 'forward' : undefined));
      const params = bidirectional
        ? { layers: [{ forward, reverse: fromKerasCell(spec, features, layerWeights(weights, name, 'backward'), cellWhere('backward')) }] }
        : { layers: [{ forward }] };
      stacks.push({ spec, params });
      features = stackOutputSize(spec);
      continue;
    }
    if (cls === 'Dense') {
      const activation = act(cfg.activation ?? 'linear');
      if (activation !== 'linear') refuse(`Keras Dense '${name}'`, `activation '${activation}': interop's head is linear (apply the activation to the outputs).`);
      const w = layerWeights(weights, name);
      if (features === undefined) formatError(`${SOURCE}: cannot tell the input size of Dense '${name}'.`);
      const units = Number(cfg.units);
      const kernel = expectShape(`${SOURCE}: Dense '${name}'`, `${name}/kernel`, w.kernel, [features, units]);
      const bias = cfg.use_bias === false ? undefined : expectShape(`${SOURCE}: Dense '${name}'`, `${name}/bias`, w.bias, [units]);
      head = bias ? { weight: transpose2d(kernel), bias } : { weight: transpose2d(kernel) };
      continue;
    }
    refuse(`Keras ${cls} '${name}'`, `interop imports chains of Embedding, LSTM, GRU, SimpleRNN, Bidirectional, Dropout and a final Dense; ${cls} is not one of them.`);
  }
  if (stacks.length === 0) formatError(`${SOURCE}: the model has no LSTM, GRU or SimpleRNN layer.`);
  return { ...(embedding ? { embedding } : {}), stacks, ...(head ? { head } : {}) };
}
