import { fail, fmtShape, tensor, type Backend, type Tensor } from '@rnnkit/tensor';
import { formatError } from './errors.js';

/**
 * A float32 array with a shape, on the host: what the layout adapters move around. Conversions
 * only reorder, transpose and split these arrays, so they are exact (bit for bit).
 */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A named set of host tensors, e.g. a state dict or an ONNX model's initializers. */
export type HostTensors = ReadonlyMap<string, HostTensor>;

export function host(data: Float32Array | readonly number[], shape: readonly number[]): HostTensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  const n = shape.reduce((a, b) => a * b, 1);
  if (arr.length !== n) formatError(`host tensor: ${arr.length} values do not fill shape ${fmtShape(shape)} (${n} values).`);
  return { shape: [...shape], data: arr };
}

/** Copies a tensor to the host as f32 (needs a backend with synchronous reads, e.g. the CPU backend). */
export function toHost(t: Tensor): HostTensor {
  if (t.dtype !== 'f32') fail(`interop: parameters must be f32 to convert, got ${t.dtype} ${fmtShape(t.shape)}; cast them first.`);
  return { shape: [...t.shape], data: Float32Array.from(t.readSync() as Float32Array) };
}

/** Uploads a host tensor to `backend`. */
export function toTensor(h: HostTensor, backend: Backend): Tensor {
  return tensor(backend, Float32Array.from(h.data), [...h.shape], 'f32');
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Fails with a message naming the tensor, the expected and the actual shape. */
export function expectShape(where: string, name: string, t: HostTensor | undefined, shape: readonly number[]): HostTensor {
  if (!t) return formatError(`${where}: missing tensor '${name}' (expected shape ${fmtShape(shape)}).`);
  if (!sameShape(t.shape, shape)) formatError(`${where}: tensor '${name}' has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}.`);
  return t;
}

/** [R, C] → [C, R]. */
export function transpose2d(t: HostTensor): HostTensor {
  const [r, c] = t.shape as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j]!;
  return { shape: [c, r], data: out };
}

/**
 * Reorders the `blocks` equal row blocks of t (axis 0): block k of the result is block `order[k]`
 * of t. Works for matrices [G·H, C] and vectors [G·H].
 */
export function reorderBlocks(t: HostTensor, order: readonly number[]): HostTensor {
  const blocks = order.length;
  const block = t.data.length / blocks;
  const out = new Float32Array(t.data.length);
  order.forEach((src, k) => out.set(t.data.subarray(src * block, (src + 1) * block), k * block));
  return { shape: [...t.shape], data: out };
}

/** The inverse permutation: inverse(order)[order[k]] = k. */
export function inverse(order: readonly number[]): number[] {
  const inv = new Array<number>(order.length);
  order.forEach((src, k) => (inv[src] = k));
  return inv;
}

/** Contiguous slice [start, end) of axis 0, with the given shape. */
export function sliceRows(t: HostTensor, start: number, end: number, shape: readonly number[]): HostTensor {
  const row = t.data.length / t.shape[0]!;
  return host(t.data.slice(start * row, end * row), shape);
}

/** Concatenates along axis 0 (the other axes must agree). */
export function concatRows(parts: readonly HostTensor[], shape: readonly number[]): HostTensor {
  const n = parts.reduce((a, p) => a + p.data.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p.data, o);
    o += p.data.length;
  }
  return host(out, shape);
}

export function zerosHost(shape: readonly number[]): HostTensor {
  return host(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
}

/** Elementwise a + b in f32 (one rounding per element). */
export function addHost(a: HostTensor, b: HostTensor): HostTensor {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i]! + b.data[i]!;
  return { shape: [...a.shape], data: out };
}

export function isZero(t: HostTensor | undefined): boolean {
  return !t || t.data.every((v) => v === 0);
}

/** Bitwise equality of two host tensors (shape and every value, so −0 ≠ 0 and NaN = NaN when the bits are). */
export function identical(a: HostTensor, b: HostTensor): boolean {
  if (!sameShape(a.shape, b.shape)) return false;
  const x = new Uint32Array(a.data.buffer, a.data.byteOffset, a.data.length);
  const y = new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length);
  return x.every((v, i) => v === y[i]);
}
