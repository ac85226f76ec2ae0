import { cast, fail, fmtShape, isFloat, type DType, type Tensor } from '@rnnkit/tensor';

/** A mask split into what excludes items (bool) and what weighs them (float). */
export interface MaskParts {
  readonly keep?: Tensor;
  readonly weight?: Tensor;
}

/** Checks that a mask is bool or float. */
export function requireMaskDType(op: string, mask: Tensor | undefined): void {
  if (mask && mask.dtype !== 'bool' && !isFloat(mask.dtype))
    fail(`${op}: mask must be bool (true = keep) or float (a weight per item), got ${mask.dtype} ${fmtShape(mask.shape)}; build it with a comparison such as gt(lengths, t).`);
}

/** Splits a checked mask into its bool or float part, bringing a float one to `dtype`. Call inside a scope. */
export function maskParts(mask: Tensor | undefined, dtype: DType): MaskParts {
  if (!mask) return {};
  if (mask.dtype === 'bool') return { keep: mask };
  return { weight: mask.dtype === dtype ? mask : cast(mask, dtype) };
}
