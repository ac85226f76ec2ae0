// Host-side test data: logical values, and the strided storage that shows them to a kernel.
import {
  contiguousStrides, expand, narrow, permute, reshape, sizeOf, tensor, toTypedArray, type Backend, type DType, type Handle,
  type Rng, type Shape, type Tensor, type TypedArray, type View,
} from '@rnnkit/tensor';

/** How an operand's elements sit in memory. */
export type LayoutKind = 'contiguous' | 'offset' | 'permuted' | 'strided' | 'expanded';
export const LAYOUTS: readonly LayoutKind[] = ['contiguous', 'offset', 'permuted', 'strided', 'expanded'];

/** What values an operand draws; each keeps clear of the op's undefined or kinked regions. */
export type Domain =
  | 'any' // normal, σ = 1.5
  | 'positive' // [0.25, 3)
  | 'nonzero' // ±[0.5, 2)
  | 'ties' // integers in [-2, 2], so comparisons and max/argmax meet equal values
  | 'exponent' // [-2, 2)
  | 'large' // ±{1000, 100, 30, 10, 0.5}, for functions that must not overflow
  | 'castable'; // ±[0, 100) with fractions, exact integers and zeros

/** Junk written where a correct kernel never reads (so reading it shows up as a wrong value). */
const JUNK = -999;

/** An operand of a test: its logical values and the storage and layout a backend sees. */
export interface HostOperand {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Logical values, row-major, exactly representable in `dtype`. */
  readonly values: Float64Array;
  readonly layout: LayoutKind;
  /** What is uploaded, and its own contiguous shape. */
  readonly storage: Float64Array;
  readonly storageShape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Rounds to what `dtype` holds, so the candidate and the reference start from the same numbers. */
export function representable(dtype: DType, values: Float64Array): Float64Array {
  return Float64Array.from(toTypedArray(dtype, values));
}

export function draw(rng: Rng, n: number, dtype: DType, domain: Domain): Float64Array {
  if (dtype === 'bool') return Float64Array.from({ length: n }, () => (rng.nextFloat() < 0.5 ? 1 : 0));
  const int = (lo: number, hi: number) => lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
  const sign = () => (rng.nextFloat() < 0.5 ? -1 : 1);
  let out: Float64Array;
  if (dtype === 'i32') {
    const pick: Record<Domain, () => number> = {
      any: () => int(-20, 20),
      positive: () => int(1, 20),
      nonzero: () => sign() * int(1, 9),
      ties: () => int(-2, 2),
      exponent: () => int(0, 3),
      large: () => sign() * int(1000, 100000),
      castable: () => int(-1000, 1000),
    };
    out = Float64Array.from({ length: n }, pick[domain]);
  } else {
    const large = [1000, 100, 30, 10, 0.5];
    const castable = () => {
      const r = rng.nextFloat();
      if (r < 0.1) return 0;
      if (r < 0.3) return int(-100, 100);
      return sign() * 100 * rng.nextFloat();
    };
    const pick: Record<Domain, () => number> = {
      any: () => 1.5 * rng.nextNormal(),
      positive: () => 0.25 + 2.75 * rng.nextFloat(),
      nonzero: () => sign() * (0.5 + 1.5 * rng.nextFloat()),
      ties: () => int(-2, 2),
      exponent: () => -2 + 4 * rng.nextFloat(),
      large: () => sign() * large[int(0, large.length - 1)]!,
      castable,
    };
    out = Float64Array.from({ length: n }, pick[domain]);
  }
  return representable(dtype, out);
}

/** Whether `kind` can show an array of `shape` (permuted needs 2 axes, strided 1, expanded an axis > 1). */
export function layoutApplies(kind: LayoutKind, shape: Shape): boolean {
  switch (kind) {
    case 'contiguous':
    case 'offset':
      return true;
    case 'permuted':
      return shape.length >= 2;
    case 'strided':
      return shape.length >= 1;
    case 'expanded':
      return shape.some((d) => d > 1);
  }
}

/** The position in storage of logical element `i`. */
function storageIndex(shape: Shape, strides: readonly number[], offset: number, i: number): number {
  let pos = offset;
  for (let a = shape.length - 1; a >= 0; a--) {
    const d = shape[a]!;
    pos += (i % d) * strides[a]!;
    i = Math.floor(i / d);
  }
  return pos;
}

/** Logical values of a strided view over `storage` (row-major). */
export function materialize(storage: ArrayLike<number>, shape: Shape, strides: readonly number[], offset: number): Float64Array {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = storage[storageIndex(shape, strides, offset, i)]!;
  return out;
}

/**
 * Builds an operand of `shape` in layout `kind`, drawing values with `gen` (called once with the
 * number of independent values; an expanded operand repeats them along its broadcast axis).
 */
export function makeOperand(shape: Shape, dtype: DType, kind: LayoutKind, gen: (n: number) => Float64Array): HostOperand {
  if (!layoutApplies(kind, shape)) throw new Error(`layout ${kind} does not apply to shape [${shape.join(', ')}]`);
  const n = sizeOf(shape);
  const rank = shape.length;
  let storageShape: number[];
  let strides: number[];
  let offset = 0;
  let values: Float64Array;
  switch (kind) {
    case 'contiguous':
      storageShape = [...shape];
      strides = contiguousStrides(shape);
      values = gen(n);
      break;
    case 'offset':
      offset = 3;
      storageShape = [n + offset];
      strides = contiguousStrides(shape);
      values = gen(n);
      break;
    case 'permuted': {
      // Stored with its axes reversed; the view permutes them back.
      storageShape = [...shape].reverse();
      const s = contiguousStrides(storageShape);
      strides = shape.map((_, a) => s[rank - 1 - a]!);
      values = gen(n);
      break;
    }
    case 'strided':
      // Every element two slots apart, starting at 1: junk in between.
      offset = 1;
      storageShape = [2 * n + 1];
      strides = contiguousStrides(shape).map((s) => 2 * s);
      values = gen(n);
      break;
    case 'expanded': {
      const axis = shape.findIndex((d) => d > 1);
      storageShape = shape.map((d, a) => (a === axis ? 1 : d));
      strides = contiguousStrides(storageShape).map((s, a) => (a === axis ? 0 : s));
      const base = gen(sizeOf(storageShape));
      values = materialize(base, shape, strides, 0);
      break;
    }
  }
  const storage = new Float64Array(sizeOf(storageShape)).fill(dtype === 'bool' ? 1 : JUNK);
  for (let i = 0; i < n; i++) storage[storageIndex(shape, strides, offset, i)] = values[i]!;
  return { shape: [...shape], dtype, values, layout: kind, storage, storageShape, strides, offset };
}

/** An operand with given logical values, contiguous. */
export function fixedOperand(shape: Shape, dtype: DType, values: ArrayLike<number>): HostOperand {
  const v = representable(dtype, Float64Array.from(values));
  return makeOperand(shape, dtype, 'contiguous', () => v);
}

export function typed(dtype: DType, values: ArrayLike<number>): TypedArray {
  return toTypedArray(dtype, values);
}

/**
 * The operand as a tensor on `be`, built with the public view ops (narrow + reshape for an
 * offset, permute, expand) or, for the strided layout they cannot express, `withLayout`.
 * Every tensor made is pushed to `owned`; the last one is the operand.
 */
export function operandTensor(be: Backend, op: HostOperand, owned: Tensor[]): Tensor {
  const keep = (t: Tensor) => (owned.push(t), t);
  const base = keep(tensor(be, typed(op.dtype, op.storage), op.storageShape, op.dtype));
  switch (op.layout) {
    case 'contiguous':
      return base;
    case 'offset':
      return keep(reshape(keep(narrow(base, 0, op.offset, sizeOf(op.shape))), op.shape));
    case 'permuted':
      return keep(permute(base, op.shape.map((_, a) => op.shape.length - 1 - a)));
    case 'expanded':
      return keep(expand(base, op.shape));
    case 'strided':
      return keep(base.withLayout(op.shape, op.strides, op.offset));
  }
}

/** The operand as a handcrafted kernel view; the uploaded handle is pushed to `handles`. */
export function operandView(be: Backend, op: HostOperand, handles: Handle[]): View {
  const handle = be.upload(typed(op.dtype, op.storage), op.dtype);
  handles.push(handle);
  return { handle, dtype: op.dtype, shape: op.shape, strides: op.strides, offset: op.offset };
}
