import { bytesPerElement, dtypeOfArray, fail, fmtShape, sizeOf, type DType, type TypedArray } from '@rnnkit/tensor';
import { LITTLE_ENDIAN, TO_SAFETENSORS } from './internal/dtypes.js';

/** One tensor of a safetensors file, on the host: row-major `data` with its shape and dtype. */
export interface SafetensorsEntry {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

/**
 * Writes tensors in the safetensors layout: an 8-byte little-endian header length N, N bytes of
 * JSON header (`{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {…} }`,
 * padded with spaces to a multiple of 8), then the raw little-endian bytes of every tensor.
 * Data is ordered by element width (widest first, then as given), so every tensor is aligned to its
 * element size, as the reference implementation does. Pure: no file system, runs in browsers.
 *
 * @param entries tensors by name (`Map` or object; the order is kept within each width).
 * @param metadata string → string pairs stored under `__metadata__`.
 * @example
 * const bytes = encodeSafetensors({ weight: { dtype: 'f32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });
 */
export function encodeSafetensors(
  entries: ReadonlyMap<string, SafetensorsEntry> | { readonly [name: string]: SafetensorsEntry }, metadata: { readonly [key: string]: string } = {},
): Uint8Array {
  const op = 'encodeSafetensors';
  if (!LITTLE_ENDIAN) fail(`${op}: this platform is big-endian; safetensors bytes are little-endian and rnnkit does not swap them.`);
  const list = [...(entries instanceof Map ? entries : Object.entries(entries))] as [string, SafetensorsEntry][];
  for (const [key, value] of Object.entries(metadata))
    if (typeof value !== 'string') fail(`${op}: metadata '${key}' is a ${typeof value}; safetensors metadata holds strings only (JSON-encode other data).`);
  const names = new Set<string>();
  for (const [name, e] of list) {
    if (name === '' || name === '__metadata__') fail(`${op}: ${JSON.stringify(name)} cannot name a tensor; pick another name.`);
    if (names.has(name)) fail(`${op}: two tensors are named '${name}'.`);
    names.add(name);
    if (!TO_SAFETENSORS[e.dtype]) fail(`${op}: tensor '${name}' has dtype ${String(e.dtype)}; rnnkit writes f32, f64, i32 and bool.`);
    if (!e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`${op}: tensor '${name}' has shape ${fmtShape(e.shape)}; dimensions must be integers ≥ 0.`);
    if (sizeOf(e.shape) !== e.data.length) fail(`${op}: tensor '${name}' has ${e.data.length} values for shape ${fmtShape(e.shape)} (${sizeOf(e.shape)} elements).`);
    if (dtypeOfArray(e.data) !== e.dtype) fail(`${op}: tensor '${name}' is declared ${e.dtype} but its data is a ${e.data.constructor.name}.`);
  }
  const ordered = list.map((entry, i) => ({ entry, i })).sort((a, b) => bytesPerElement(b.entry[1].dtype) - bytesPerElement(a.entry[1].dtype) || a.i - b.i);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const { entry: [name, e] } of ordered) {
    const end = offset + e.data.byteLength;
    header[name] = { dtype: TO_SAFETENSORS[e.dtype], shape: [...e.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { entry: [, e] } of ordered) {
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), at);
    at += e.data.byteLength;
  }
  return out;
}
