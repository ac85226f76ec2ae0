import { cast, fail, fmtShape, isFloat, type DType, type Tensor } from '@rnnkit/tensor';

/** A mask split into what excludes items (bool) and what weighs them (float). */
export interface MaskParts {
  readonly keep?: Tensor;
  readonly weight?: Tensor;
}

/** Validates a bool or float mask and brings a float one to `dtype`. Call inside a scope. */
export function maskParts(op: string, mask: Tensor | undefined, dtype: DType): MaskParts {
  if (!mask) return {};
  if (mask.dtype === 'bool') return { keep: mask };
  if (!isFloat(mask.dtype))
    fail(`${op}: mask must be bool (true = keep) or float (a weight per item), got ${mask.dtype} ${fmtShape(mask.shape)}; build it with a comparison such as gt(lengths, t).`);
  return { weight: mask.dtype === dtype ? mask : cast(mask, dtype) };
}
