import { allocate } from '@rnnkit/tensor';
import type { TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { viewOffsets } from './internal/strided.js';

/** out = cond ? a : b elementwise; cond is bool, a and b share the output's dtype. */
export function where(cond: View<WasmHandle>, a: View<WasmHandle>, b: View<WasmHandle>): TypedArray {
  const ic = viewOffsets(cond);
  const ia = viewOffsets(a);
  const ib = viewOffsets(b);
  const dc = cond.handle.data;
  const da = a.handle.data;
  const db = b.handle.data;
  const out = allocate(a.dtype, ic.length);
  for (let i = 0; i < ic.length; i++) out[i] = dc[ic[i]!] ? da[ia[i]!]! : db[ib[i]!]!;
  return out;
}
