import { allocate, sizeOf } from '@rnnkit/tensor';
import type { BinaryOp, DType, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import type { Acquire } from './internal/acquire.js';
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

/**
 * How a broadcast operand reads storage, for the loops below: `tile` repeats one contiguous block of
 * `period` elements (a bias row: stride 0 on the leading axes), `repeat` holds each stored element
 * for `period` outputs (x − max over the last axis: stride 0 on the trailing axes). A scalar is a tile of 1.
 */
type Pattern = { readonly kind: 'tile' | 'repeat'; readonly period: number };

function patternOf(v: View<WasmHandle>): Pattern | null {
  const { shape, strides } = v;
  const rank = shape.length;
  // tile: axes [k, rank) contiguous, axes [0, k) stride 0 (size-1 axes fit either).
  let k = rank;
  let block = 1;
  while (k > 0 && (shape[k - 1] === 1 || strides[k - 1] === block)) block *= shape[--k]!;
  if (strides.slice(0, k).every((st, i) => st === 0 || shape[i] === 1)) return { kind: 'tile', period: block };
  // repeat: axes [k, rank) stride 0, axes [0, k) contiguous among themselves.
  k = rank;
  let period = 1;
  while (k > 0 && (shape[k - 1] === 1 || strides[k - 1] === 0)) period *= shape[--k]!;
  let expected = 1;
  for (let i = k - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return null;
    expected *= shape[i]!;
  }
  return { kind: 'repeat', period };
}

/** out[i] = f(a[i], b at i) for contiguous a and a patterned b; `swap` computes f(b, a) instead. */
function patterned(op: BinaryOp, f: Fn, a: View<WasmHandle>, b: View<WasmHandle>, pat: Pattern, swap: boolean, out: TypedArray): void {
  const n = out.length;
  const da = a.handle.data;
  const db = b.handle.data;
  const ao = a.offset;
  const bo = b.offset;
  // A scalar (a tile of one) is read as one value held for every output: one pass, no inner loop.
  const scalar = pat.kind === 'tile' && pat.period === 1;
  const L = scalar ? n : pat.period;
  // Inline the arithmetic that dominates training (bias adds, softmax shifts); the rest goes through f.
  const g: Fn = swap ? (x, y) => f(y, x) : f;
  const inline = a.dtype !== 'i32' && !swap && (op === 'add' || op === 'sub' || op === 'mul' || op === 'div');
  if (pat.kind === 'tile' && !scalar) {
    for (let r = 0; r < n; r += L) {
      const ar = ao + r;
      if (inline && op === 'add') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! + db[bo + j]!;
      else if (inline && op === 'sub') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! - db[bo + j]!;
      else if (inline && op === 'mul') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! * db[bo + j]!;
      else if (inline && op === 'div') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! / db[bo + j]!;
      else for (let j = 0; j < L; j++) out[r + j] = g(da[ar + j]!, db[bo + j]!);
    }
    return;
  }
  for (let r = 0, q = bo; r < n; r += L, q++) {
    const v = db[q]!;
    const ar = ao + r;
    if (inline && op === 'add') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! + v;
    else if (inline && op === 'sub') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! - v;
    else if (inline && op === 'mul') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! * v;
    else if (inline && op === 'div') for (let j = 0; j < L; j++) out[r + j] = da[ar + j]! / v;
    else for (let j = 0; j < L; j++) out[r + j] = g(da[ar + j]!, v);
  }
}

/** out = op(a, b) over the output's shape; a and b already carry it (broadcast axes have stride 0). */
export function binary(op: BinaryOp, a: View<WasmHandle>, b: View<WasmHandle>, acquire: Acquire = allocate): TypedArray {
  const f0 = a.dtype === 'i32' ? INT32[op] : FLOAT[op];
  if (!isCompare(op) && a.dtype !== 'bool') {
    const n = sizeOf(a.shape);
    // Fast paths: one operand contiguous, the other contiguous, a tiled block or a repeated value.
    const aContiguous = isContiguous(a);
    const bContiguous = isContiguous(b);
    if (aContiguous && bContiguous) {
      const da = a.handle.data;
      const db = b.handle.data;
      const out = acquire(a.dtype, n);
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
    const bPattern = aContiguous ? patternOf(b) : null;
    const aPattern = !bPattern && bContiguous ? patternOf(a) : null;
    if (bPattern || aPattern) {
      const out = acquire(a.dtype, n);
      if (bPattern) patterned(op, f0, a, b, bPattern, false, out);
      else patterned(op, f0, b, a, aPattern!, true, out);
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
