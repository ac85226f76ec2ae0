import { fail, fmtShape, tensor, type Backend, type DType, type Tensor, type TypedArray } from '@rnnkit/tensor';
import { isTensor } from './internal/is-tensor.js';

/** JSON-compatible data (what JSON.stringify writes and JSON.parse returns). */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A saved optimiser state: plain data, safe for JSON.stringify and structuredClone. */
export interface SerializedState {
  readonly format: 'rnnkit.optim-state';
  readonly version: 1;
  /** The named optimiser that made the state ('adamw', …), or null for an unnamed transform. */
  readonly optimizer: string | null;
  readonly state: Json;
}

const FORMAT = 'rnnkit.optim-state';
const DTYPES: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

/**
 * Reads a state back to the host as plain data. Tensors are stored as their exact bytes
 * (base64, little-endian), so NaN payloads, −0 and every f64 bit survive: a run resumed from
 * the data continues bit for bit. Async because reads are.
 */
export async function serializeState(state: unknown): Promise<SerializedState> {
  const optimizer = isRecord(state) && typeof state.optimizer === 'string' && 'inner' in state ? state.optimizer : null;
  return { format: FORMAT, version: 1, optimizer, state: await encode(state, '') };
}

async function encode(v: unknown, path: string): Promise<Json> {
  const at = path || '(root)';
  if (isTensor(v)) {
    const data = await v.read();
    return { $tensor: { dtype: v.dtype, shape: [...v.shape], data: toBase64(data) } };
  }
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: Object.is(v, -0) ? '-0' : String(v) };
  if (Array.isArray(v)) return Promise.all(v.map((x: unknown, i) => encode(x, join(path, String(i)))));
  if (isRecord(v)) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) fail(`serializeState: state key '${join(path, k)}' starts with '$', which the format reserves; rename it.`);
      if (x === undefined) continue;
      out[k] = await encode(x, join(path, k));
    }
    return out;
  }
  return fail(`serializeState: state entry '${at}' is a ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}; states may hold only tensors, numbers, strings, booleans, null, arrays and plain objects.`);
}

export interface DeserializeOptions {
  /**
   * The optimiser the state is meant for: its name (or a named transform such as `adamw(…)`).
   * A state saved by another optimiser then fails here, before any tensor is made.
   */
  readonly expect?: string | { readonly name: string };
}

/** Rebuilds a state from `serializeState`'s data, uploading its tensors to `backend`. */
export function deserializeState<S = unknown>(data: unknown, backend: Backend, options: DeserializeOptions = {}): S {
  if (!isRecord(data) || data.format !== FORMAT)
    fail(`deserializeState: the data is not a saved optimiser state (expected format '${FORMAT}'${isRecord(data) ? `, got ${JSON.stringify(data.format)}` : ''}); pass what serializeState returned.`);
  if (data.version !== 1) fail(`deserializeState: version ${String(data.version)} is not supported (this rnnkit reads version 1); upgrade @rnnkit/optim.`);
  const expected = typeof options.expect === 'string' ? options.expect : options.expect?.name;
  const saved = typeof data.optimizer === 'string' ? data.optimizer : null;
  if (expected !== undefined && saved !== expected)
    fail(`deserializeState: the data holds the state of ${saved === null ? 'an unnamed transform' : `the optimiser '${saved}'`}, but '${expected}' was expected; resume with the optimiser that saved it, or start afresh with init(params).`);
  const made: Tensor[] = [];
  try {
    return decode(data.state, '', backend, made) as S;
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}

function decode(v: unknown, path: string, backend: Backend, made: Tensor[]): unknown {
  const at = path || '(root)';
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map((x: unknown, i) => decode(x, join(path, String(i)), backend, made));
  if (!isRecord(v)) return fail(`deserializeState: entry '${at}' is not JSON data.`);
  if ('$tensor' in v) {
    const spec = v.$tensor;
    if (!isRecord(spec) || !DTYPES.includes(spec.dtype as DType) || !Array.isArray(spec.shape) || typeof spec.data !== 'string')
      fail(`deserializeState: tensor '${at}' is malformed; expected { dtype, shape, data: base64 }.`);
    const dtype = spec.dtype as DType;
    const shape = spec.shape as number[];
    const values = fromBase64(spec.data, dtype);
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) fail(`deserializeState: tensor '${at}' has ${values.length} values for shape ${fmtShape(shape)}; the data is corrupt.`);
    if (!backend.capabilities.dtypes.includes(dtype))
      fail(`deserializeState: tensor '${at}' is ${dtype}, which backend '${backend.name}' does not support; load it on a backend that does.`);
    const t = tensor(backend, values, shape, dtype);
    made.push(t);
    return t;
  }
  if ('$number' in v) {
    const n = v.$number === '-0' ? -0 : Number(v.$number);
    if (typeof v.$number !== 'string' || (Number.isNaN(n) && v.$number !== 'NaN')) fail(`deserializeState: number '${at}' is malformed.`);
    return n;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = decode(x, join(path, k), backend, made);
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

// Byte order: every platform rnnkit runs on (x86, ARM, WebAssembly, GPUs) is little-endian.
function toBase64(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string, dtype: DType): TypedArray {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  const buf = bytes.buffer;
  const width = dtype === 'f64' ? 8 : dtype === 'bool' ? 1 : 4;
  if (bytes.length % width !== 0) fail(`deserializeState: ${bytes.length} bytes do not hold whole ${dtype} values; the data is corrupt.`);
  switch (dtype) {
    case 'f64': return new Float64Array(buf);
    case 'f32': return new Float32Array(buf);
    case 'i32': return new Int32Array(buf);
    default: return new Uint8Array(buf);
  }
}
