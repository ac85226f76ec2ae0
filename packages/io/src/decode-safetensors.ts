import { allocate, fail, fmtShape, sizeOf } from '@rnnkit/tensor';
import type { SafetensorsEntry } from './encode-safetensors.js';
import { FROM_SAFETENSORS, LITTLE_ENDIAN, WIDTHS } from './internal/dtypes.js';

/** What `decodeSafetensors` returns: the tensors by name (in file order) and the metadata. */
export interface SafetensorsContents {
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: { readonly [key: string]: string };
}

/** Options of `decodeSafetensors`. */
export interface DecodeSafetensorsOptions {
  /** Named in error messages (a file name or URL). */
  readonly source?: string;
  /** The op named in error messages (default 'decodeSafetensors'). */
  readonly op?: string;
}

/** Headers larger than this are refused (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

/**
 * Reads the safetensors layout written by `encodeSafetensors` (or by `safetensors.torch.save_file`
 * for F32, F64, I32 and BOOL tensors). Every structural problem fails with an `RnnkitError`
 * naming the source and what is wrong: a file shorter than its header says (truncated), a header
 * that is not JSON, an unknown dtype, offsets outside the data, overlapping or leaving gaps, a
 * byte range that does not match the shape. The tensors are copies: `bytes` may be reused.
 * Pure: no file system, runs in browsers.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeSafetensorsOptions = {}): SafetensorsContents {
  const op = options.op ?? 'decodeSafetensors';
  const bad = (problem: string): never => fail(`${op}: ${options.source ? `'${options.source}' ` : 'the data '}${problem}`);
  if (!LITTLE_ENDIAN) fail(`${op}: this platform is big-endian; safetensors bytes are little-endian and rnnkit does not swap them.`);
  if (!(bytes instanceof Uint8Array)) fail(`${op}: expected the file's bytes as a Uint8Array.`);
  if (bytes.length < 8) bad(`is truncated: it has ${bytes.length} bytes, fewer than the 8-byte header length of the safetensors layout.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) bad(`is not a safetensors file: its first 8 bytes give a header of ${n64} bytes (more than ${MAX_HEADER}).`);
  const n = Number(n64);
  if (8 + n > bytes.length) bad(`is truncated: its header should be ${n} bytes, but only ${bytes.length - 8} follow the length.`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    bad(`has a corrupt header: its ${n} header bytes are not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('has a corrupt header: it is not a JSON object.');
  const dataLength = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const found: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) bad('has a corrupt header: __metadata__ is not an object.');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`has a corrupt header: metadata '${k}' is not a string.`);
        metadata[k] = v as string;
      }
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null || typeof t.dtype !== 'string' || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets) || t.data_offsets.length !== 2)
      bad(`has a corrupt header: tensor '${name}' needs { dtype, shape, data_offsets: [begin, end] }.`);
    const shape = t.shape as unknown[];
    if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) bad(`has a corrupt header: tensor '${name}' has shape ${JSON.stringify(shape)}.`);
    const [begin, end] = t.data_offsets as unknown[];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number))
      bad(`has a corrupt header: tensor '${name}' has data_offsets ${JSON.stringify(t.data_offsets)}.`);
    const width = WIDTHS[t.dtype as string];
    if (width === undefined) bad(`has a corrupt header: tensor '${name}' has the unknown dtype ${JSON.stringify(t.dtype)}.`);
    if ((end as number) > dataLength)
      bad(`is truncated or corrupt: tensor '${name}' occupies bytes [${String(begin)}, ${String(end)}) of the data, but the file holds only ${dataLength} data bytes.`);
    const expected = sizeOf(shape as number[]) * width!;
    if ((end as number) - (begin as number) !== expected)
      bad(`is corrupt: tensor '${name}' (${String(t.dtype)} ${fmtShape(shape as number[])}) needs ${expected} bytes, but its data_offsets span ${(end as number) - (begin as number)}.`);
    found.push({ name, dtype: t.dtype as string, shape: shape as number[], begin: begin as number, end: end as number });
  }
  const byOffset = [...found].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of byOffset) {
    if (t.begin < at) bad(`is corrupt: tensor '${t.name}' overlaps the bytes of another tensor.`);
    if (t.begin > at) bad(`is corrupt: the bytes [${at}, ${t.begin}) before tensor '${t.name}' belong to no tensor.`);
    at = t.end;
  }
  if (at !== dataLength) bad(`is corrupt: it has ${dataLength - at} bytes after the last tensor's data that belong to no tensor.`);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const t of found) {
    const dtype = FROM_SAFETENSORS[t.dtype];
    if (!dtype) bad(`holds tensor '${t.name}' of dtype ${t.dtype}, which rnnkit does not read (it reads F32, F64, I32 and BOOL); convert it before saving.`);
    const data = allocate(dtype!, sizeOf(t.shape));
    new Uint8Array(data.buffer).set(bytes.subarray(8 + n + t.begin, 8 + n + t.end));
    tensors.set(t.name, { dtype: dtype!, shape: t.shape, data });
  }
  return { tensors, metadata };
}
