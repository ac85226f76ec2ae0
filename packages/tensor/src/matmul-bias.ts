import type { MatmulBiasArgs } from './backend.js';
import { isFloat } from './dtype.js';
import { fail, fmtShape } from './errors.js';

/** Throws unless a [M, K], b [K, N] and bias [N] fit together in one float dtype (any backend's matmulBias can call it). */
export function checkMatmulBiasArgs<H>(args: MatmulBiasArgs<H>): void {
  const { a, b, bias } = args;
  const shapes = `a ${fmtShape(a.shape)} ${a.dtype}, b ${fmtShape(b.shape)} ${b.dtype}, bias ${fmtShape(bias.shape)} ${bias.dtype}`;
  if (a.shape.length !== 2 || b.shape.length !== 2 || bias.shape.length !== 1 || a.shape[1] !== b.shape[0] || bias.shape[0] !== b.shape[1]) {
    fail(`matmulBias: needs a [M, K], b [K, N] and bias [N]; got ${shapes}.`);
  }
  if (!isFloat(a.dtype) || b.dtype !== a.dtype || bias.dtype !== a.dtype) fail(`matmulBias: needs one float dtype (f32 or f64) for all three; got ${shapes}.`);
}
