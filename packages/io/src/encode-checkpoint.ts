import { serializeState } from '@rnnkit/optim';
import { dtypeOfArray, fail, type DType, type ParamTree, type TypedArray } from '@rnnkit/tensor';
import type { Checkpoint } from './checkpoint.js';
import { encodeSafetensors, type SafetensorsEntry } from './encode-safetensors.js';
import { fromBase64 } from './internal/base64.js';
import { FORMAT, KEYS, OPTIMIZER_PREFIX, STATE_PREFIX, VERSION } from './internal/format.js';
import { isRecord, strictJson } from './internal/json-tree.js';
import { checkRngState } from './internal/rng-state.js';
import { skeletonOf } from './internal/tree-skeleton.js';

/**
 * A checkpoint as safetensors bytes (see `Checkpoint` for what goes where). Tensors are read
 * from their backend (hence async) and stored as their exact bytes, so f32 and f64 values, NaN
 * payloads and −0 included, come back bit for bit. Pure: no file system, runs in browsers;
 * `saveCheckpoint` writes the bytes to a file safely.
 *
 * Layout: each parameter is an entry named by its `treeFlatten` path; optimiser tensors are
 * `optimizer/<path>` and recurrent-state tensors `recurrent_state/<path>`; everything else is JSON
 * in `__metadata__` under `rnnkit.*` keys (`rnnkit.format` = 'rnnkit.checkpoint', version '1').
 */
export async function encodeCheckpoint(checkpoint: Checkpoint): Promise<Uint8Array> {
  const op = 'encodeCheckpoint';
  if (!isRecord(checkpoint)) fail(`${op}: the checkpoint must be a plain object such as { params, optimizer, step }.`);
  if (checkpoint.params === undefined) fail(`${op}: the checkpoint has no params; pass { params, … }.`);
  const entries = new Map<string, SafetensorsEntry>();
  const metadata: Record<string, string> = { [KEYS.format]: FORMAT, [KEYS.version]: VERSION };

  const addTree = async (what: string, tree: ParamTree, prefix: string) => {
    const { skeleton, leaves } = skeletonOf(op, what, tree, prefix);
    for (const [name] of leaves)
      if (prefix === '' && (name.startsWith(OPTIMIZER_PREFIX) || name.startsWith(STATE_PREFIX)))
        fail(`${op}: parameter '${name}' starts with a prefix the checkpoint layout reserves; rename it.`);
    const data = await Promise.all(leaves.map(([, t]) => t.read()));
    leaves.forEach(([name, t], i) => entries.set(name, { dtype: t.dtype, shape: [...t.shape], data: data[i]! }));
    return JSON.stringify(skeleton);
  };

  metadata[KEYS.params] = await addTree('params', checkpoint.params, '');
  if (checkpoint.recurrentState !== undefined) metadata[KEYS.recurrentState] = await addTree('recurrentState', checkpoint.recurrentState, STATE_PREFIX);
  if (checkpoint.optimizer !== undefined) {
    const saved = await serializeState(checkpoint.optimizer);
    metadata[KEYS.optimizer] = JSON.stringify({ ...saved, state: externalise(saved.state, '', entries) });
  }
  if (checkpoint.rng !== undefined) metadata[KEYS.rng] = strictJson(op, 'rng', checkRngState(checkpoint.rng, (p) => fail(`${op}: rng ${p}`)));
  if (checkpoint.step !== undefined) {
    if (!Number.isSafeInteger(checkpoint.step) || checkpoint.step < 0) fail(`${op}: step must be an integer ≥ 0, got ${String(checkpoint.step)}.`);
    metadata[KEYS.step] = String(checkpoint.step);
  }
  if (checkpoint.vocab !== undefined) {
    if (typeof checkpoint.vocab.toJSON !== 'function') fail(`${op}: vocab must be a CharVocab or WordVocab of @rnnkit/data.`);
    metadata[KEYS.vocab] = JSON.stringify(checkpoint.vocab.toJSON());
  }
  if (checkpoint.config !== undefined) metadata[KEYS.config] = strictJson(op, 'config', checkpoint.config);
  if (checkpoint.dataPosition !== undefined) metadata[KEYS.dataPosition] = strictJson(op, 'dataPosition', checkpoint.dataPosition);
  if (checkpoint.extra !== undefined) metadata[KEYS.extra] = strictJson(op, 'extra', checkpoint.extra);
  return encodeSafetensors(entries, metadata);
}

// Moves the tensor bytes of a serialised optimiser state into safetensors entries, leaving a reference.
function externalise(v: unknown, path: string, entries: Map<string, SafetensorsEntry>): unknown {
  if (Array.isArray(v)) return v.map((x, i) => externalise(x, path ? `${path}.${i}` : String(i), entries));
  if (!isRecord(v)) return v;
  if ('$tensor' in v && isRecord(v.$tensor)) {
    const { dtype, shape, data } = v.$tensor as { dtype: DType; shape: number[]; data: string };
    const name = OPTIMIZER_PREFIX + (path || '(root)');
    entries.set(name, { dtype, shape, data: typedView(dtype, fromBase64(data)) });
    return { $tensor: { dtype, shape, ref: name } };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, externalise(x, path ? `${path}.${k}` : k, entries)]));
}

function typedView(dtype: DType, bytes: Uint8Array): TypedArray {
  const b = bytes.buffer as ArrayBuffer;
  const t = dtype === 'f64' ? new Float64Array(b) : dtype === 'f32' ? new Float32Array(b) : dtype === 'i32' ? new Int32Array(b) : new Uint8Array(b);
  if (dtypeOfArray(t) !== dtype) fail(`encodeCheckpoint: unexpected optimiser tensor dtype ${dtype}.`);
  return t;
}
