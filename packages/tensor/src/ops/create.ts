import type { Backend } from '../backend.js';
import { toTypedArray, dtypeOfArray, type DType, type TypedArray } from '../dtype.js';
import { fail, fmtShape } from '../errors.js';
import { checkShape, sizeOf, type Shape } from '../shape.js';
import { requireSupported } from '../internal/emit.js';
import { Tensor } from '../tensor.js';

type NestedNumbers = number | boolean | readonly NestedNumbers[];

function flatten(data: NestedNumbers, shape: number[], depth: number, out: number[]): void {
  if (Array.isArray(data)) {
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length) fail(`tensor: nested arrays are ragged (expected ${shape[depth]} elements at depth ${depth}, got ${data.length}).`);
    for (const v of data as readonly NestedNumbers[]) flatten(v, shape, depth + 1, out);
  } else {
    if (depth !== shape.length && shape.length > 0) fail('tensor: nested arrays are ragged (a number where an array was expected).');
    out.push(Number(data));
  }
}

/**
 * Uploads host data. `data` is a TypedArray or (nested) numbers; `shape` defaults to the nesting
 * (or 1-D); `dtype` defaults to the TypedArray's, else f32.
 */
export function tensor(backend: Backend, data: TypedArray | NestedNumbers, shape?: Shape, dtype?: DType): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[] = [];
  if (ArrayBuffer.isView(data)) {
    flat = data;
    inferred = [data.length];
    dtype ??= dtypeOfArray(data);
  } else {
    const out: number[] = [];
    flatten(data, inferred, 0, out);
    flat = out;
  }
  const dt = dtype ?? 'f32';
  const s = shape ?? inferred;
  checkShape('tensor', s);
  if (sizeOf(s) !== flat.length) fail(`tensor: ${flat.length} values cannot fill shape ${fmtShape(s)} (${sizeOf(s)} elements).`);
  requireSupported('tensor', backend, dt);
  const typed = ArrayBuffer.isView(data) && dtypeOfArray(data) === dt ? data : toTypedArray(dt, flat);
  return Tensor.fromHandle(backend, backend.upload(typed, dt), s, dt);
}

/** A 0-d tensor holding one number. */
export function scalar(backend: Backend, value: number, dtype: DType = 'f32'): Tensor {
  return full(backend, [], value, dtype);
}

export function full(backend: Backend, shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
  checkShape('full', shape);
  requireSupported('full', backend, dtype);
  return Tensor.fromHandle(backend, backend.kernels.fill(shape, dtype, value), shape, dtype);
}

export function zeros(backend: Backend, shape: Shape, dtype: DType = 'f32'): Tensor {
  return full(backend, shape, 0, dtype);
}

export function ones(backend: Backend, shape: Shape, dtype: DType = 'f32'): Tensor {
  return full(backend, shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return full(t.backend, t.shape, 0, t.dtype);
}

export function onesLike(t: Tensor): Tensor {
  return full(t.backend, t.shape, 1, t.dtype);
}

export function fullLike(t: Tensor, value: number): Tensor {
  return full(t.backend, t.shape, value, t.dtype);
}

/** [start, start+step, …) below `stop`, as a 1-D tensor. */
export function arange(backend: Backend, start: number, stop?: number, step = 1, dtype: DType = 'i32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) fail('arange: step must not be 0.');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  return tensor(backend, toTypedArray(dtype, Array.from({ length: n }, (_, i) => start + i * step)), [n], dtype);
}
