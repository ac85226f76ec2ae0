import type { Handle, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { fail, fmtShape } from '../errors.js';
import { record, type Primitive, type PrimitiveAttrs } from '../trace.js';
import type { Shape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Wraps a kernel's fresh handle as a tensor and lets active tracers see the primitive. */
export function emit<P extends Primitive>(prim: P, inputs: readonly Tensor[], handle: Handle, shape: Shape, dtype: DType, attrs: PrimitiveAttrs[P]): Tensor {
  const out = Tensor.fromHandle(inputs[0]!.backend, handle, shape, dtype);
  record(prim, inputs, [out], attrs);
  return out;
}

/** Records a view op whose output shares the input's memory. */
export function emitView<P extends Primitive>(prim: P, input: Tensor, out: Tensor, attrs: PrimitiveAttrs[P]): Tensor {
  record(prim, [input], [out], attrs);
  return out;
}

export const NO_ATTRS: Record<string, never> = {};

/** A kernel view of `t` broadcast to `shape` (stride 0 on broadcast axes); no memory is touched. */
export function broadcastView(op: string, t: Tensor, shape: Shape): View {
  const v = t.view(op);
  const lead = shape.length - t.rank;
  if (lead < 0) fail(`${op}: cannot broadcast ${fmtShape(t.shape)} to the smaller rank of ${fmtShape(shape)}.`);
  const strides = shape.map((d, i) => {
    if (i < lead) return 0;
    const own = t.shape[i - lead]!;
    if (own === d) return own === 1 ? 0 : t.strides[i - lead]!;
    if (own === 1) return 0;
    return fail(`${op}: cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}.`);
  });
  return { ...v, shape, strides };
}

export function requireFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) fail(`${op}: needs a floating-point tensor (f32 or f64), got ${t.dtype} ${fmtShape(t.shape)}; convert with cast(x, 'f32').`);
}

export function requireDType(op: string, t: Tensor, dtype: DType, role = 'input'): void {
  if (t.dtype !== dtype) fail(`${op}: ${role} must be ${dtype}, got ${t.dtype} ${fmtShape(t.shape)}.`);
}

export function requireSameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) fail(`${op}: dtypes differ (${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}); cast one with cast(x, '${a.dtype}').`);
}

export function requireSupported(op: string, be: { name: string; capabilities: { dtypes: readonly DType[] } }, dtype: DType): void {
  if (!be.capabilities.dtypes.includes(dtype)) fail(`${op}: backend '${be.name}' does not support ${dtype} (it supports ${be.capabilities.dtypes.join(', ')}).`);
}
