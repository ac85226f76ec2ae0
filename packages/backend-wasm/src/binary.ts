import { allocate, sizeOf } from '@rnnkit/tensor';
import type { BinaryOp, DType, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { isContiguous, walk2 } from './internal/strided.js';

/**
 * pow as C99/PyTorch define it: Math.pow returns NaN for 1^NaN and (-1)^±Inf, where C returns 1.
 */
export function powC(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && !Number.isFinite(b) && !Number.isNaN(b)) return 1;
  return Math.pow(a, b);
}

type Fn = (a: number, b: number) => number;

const FLOAT: Record<BinaryOp, Fn> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: powC,
  // Math.max/min already propagate NaN, as torch.maximum/minimum do.
  maximum: Math.max,
  minimum: Math.min,
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** i32 differs where a float result would not wrap like two's complement or would keep a fraction. */
const INT32: Record<BinaryOp, Fn> = {
  ...FLOAT,
  // Math.imul wraps exactly; a * b could lose low bits above 2^53 before the store wraps it.
  mul: Math.imul,
  // Truncates toward zero; x / 0 becomes 0 after the i32 store (ToInt32 of ±Inf or NaN).
  div: (a, b) => Math.trunc(a / b),
};

function isCompare(op: BinaryOp): boolean {
  return op === 'eq' || op === 'ne' || op === 'lt' || op === 'le' || op === 'gt' || op === 'ge';
}

/** out = op(a, b) over the output's shape; a and b already carry it (broadcast axes have stride 0). */
export function binary(op: BinaryOp, a: View<WasmHandle>, b: View<WasmHandle>): TypedArray {
  const f0 = a.dtype === 'i32' ? INT32[op] : FLOAT[op];
  if (!isCompare(op) && a.dtype !== 'bool' && isContiguous(a)) {
    // Fast paths: a contiguous; b contiguous or a single broadcast value.
    const n = sizeOf(a.shape);
    const da = a.handle.data;
    const db = b.handle.data;
    const out = allocate(a.dtype, n);
    if (isContiguous(b)) {
      const ao = a.offset;
      const bo = b.offset;
      // The common arithmetic inlined (no call per element); the rest through the table.
      if (a.dtype !== 'i32' && op === 'add') for (let i = 0; i < n; i++) out[i] = da[ao + i]! + db[bo + i]!;
      else if (a.dtype !== 'i32' && op === 'sub') for (let i = 0; i < n; i++) out[i] = da[ao + i]! - db[bo + i]!;
      else if (a.dtype !== 'i32' && op === 'mul') for (let i = 0; i < n; i++) out[i] = da[ao + i]! * db[bo + i]!;
      else if (a.dtype !== 'i32' && op === 'div') for (let i = 0; i < n; i++) out[i] = da[ao + i]! / db[bo + i]!;
      else for (let i = 0, p = ao, q = bo; i < n; i++, p++, q++) out[i] = f0(da[p]!, db[q]!);
      return out;
    }
    if (b.strides.every((s) => s === 0)) {
      const v = db[b.offset]!;
      const ao = a.offset;
      if (a.dtype !== 'i32' && op === 'add') for (let i = 0; i < n; i++) out[i] = da[ao + i]! + v;
      else if (a.dtype !== 'i32' && op === 'mul') for (let i = 0; i < n; i++) out[i] = da[ao + i]! * v;
      else for (let i = 0, p = ao; i < n; i++, p++) out[i] = f0(da[p]!, v);
      return out;
    }
  }
  const outDtype: DType = isCompare(op) ? 'bool' : a.dtype;
  const f = a.dtype === 'i32' ? INT32[op] : FLOAT[op];
  const out = allocate(outDtype, sizeOf(a.shape));
  // Comparisons already give 0/1; bool arithmetic (true + true) is kept to 0/1 too.
  const g: Fn = outDtype === 'bool' ? (x, y) => (f(x, y) !== 0 ? 1 : 0) : f;
  walk2(a, b, out, g);
  return out;
}
