import { cast, fail, fmtShape, permute, reshape, tensor, type Backend, type Tensor } from '@rnnkit/tensor';

/** Validates host lengths against T and B. */
export function checkLengths(lengths: readonly number[] | Int32Array, T: number, B: number): number[] {
  const list = Array.from(lengths);
  if (list.length !== B) fail(`lengths: expected one length per sequence (${B}), got ${list.length}.`);
  list.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 1 || n > T) fail(`lengths: sequence ${b} has length ${n}; every length must be an integer in [1, ${T}] (T = ${T}).`);
  });
  return list;
}

/** Whether step t of sequence b is data (not padding). */
export function isValid(t: number, length: number, T: number, padding: 'right' | 'left'): boolean {
  return padding === 'right' ? t < length : t >= T - length;
}

/** A bool mask [T, B, 1] from host lengths. */
export function maskFromLengths(backend: Backend, lengths: readonly number[], T: number, padding: 'right' | 'left'): Tensor {
  const B = lengths.length;
  const data = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) data[t * B + b] = isValid(t, lengths[b]!, T, padding) ? 1 : 0;
  return tensor(backend, data, [T, B, 1], 'bool');
}

/** A user mask [B, T] (bool or 0/1) as bool [T, B, 1]. */
export function timeMajorMask(mask: Tensor, T: number, B: number): Tensor {
  if (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T)
    fail(`mask: must be [B, T] = [${B}, ${T}] to match the input, got ${fmtShape(mask.shape)}.`);
  const asBool = mask.dtype === 'bool' ? mask : cast(mask, 'bool');
  const tb = permute(asBool, [1, 0]);
  const out = reshape(tb, [T, B, 1]);
  tb.dispose();
  if (asBool !== mask) asBool.dispose();
  return out;
}
