// Runs one op on the candidate and on the reference backend from the same host data and compares.
import {
  contiguousStrides, dtypeOfArray, fmtShape, isFloat, sameShape, tensor, type Backend, type DType, type Handle, type Kernels,
  type Rng, type Shape, type Tensor, type View,
} from '@rnnkit/tensor';
import { CloseAssertionError, expectClose, tolerances, type Tolerance } from '../tolerance.js';
import {
  draw, layoutApplies, makeOperand, operandTensor, operandView, typed, type Domain, type HostOperand, type LayoutKind,
} from './operands.js';

/** One side of a comparison: the candidate (dtypes as given) or the reference (f32 computed in f64). */
export interface Side {
  readonly be: Backend;
  /** The operands as tensors on this side. */
  readonly xs: readonly Tensor[];
  /** The dtype this side computes `d` in. */
  dt(d: DType): DType;
  /** Hands an extra tensor (a piece the op also produced) to the harness to dispose. */
  keep<T extends Tensor>(t: T): T;
}

export type FloatTolerances = Partial<Record<'f32' | 'f64', Tolerance>>;

/** Short description of an operand for messages: `f32 [3, 5] permuted`. */
export function describeOperand(op: HostOperand): string {
  return `${op.dtype} ${fmtShape(op.shape)}${op.layout === 'contiguous' ? '' : ` ${op.layout}`}`;
}

export class Harness {
  constructor(
    readonly be: Backend,
    readonly ref: Backend,
    readonly rng: Rng,
    private readonly overrides: FloatTolerances = {},
  ) {}

  supports(dtype: DType): boolean {
    return this.be.capabilities.dtypes.includes(dtype);
  }

  /** f32 is computed in f64 on the reference when it can, so f32 results meet the exact answer. */
  refDtype(dtype: DType): DType {
    return dtype === 'f32' && this.ref.capabilities.dtypes.includes('f64') ? 'f64' : dtype;
  }

  /** Exact for i32/bool results; else the tolerance of the least precise float involved. */
  tolerance(out: DType, involved: readonly DType[]): Tolerance {
    if (!isFloat(out)) return tolerances(out);
    const d = [out, ...involved].includes('f32') ? 'f32' : 'f64';
    return this.overrides[d] ?? tolerances(d);
  }

  /** A fresh operand in `layout`, or null where the layout cannot show that shape. */
  operand(shape: Shape, dtype: DType, domain: Domain = 'any', layout: LayoutKind = 'contiguous'): HostOperand | null {
    if (!layoutApplies(layout, shape)) return null;
    return makeOperand(shape, dtype, layout, (n) => draw(this.rng, n, dtype, domain));
  }

  /** Like `operand`, falling back to contiguous where the layout does not apply. */
  operandOr(shape: Shape, dtype: DType, domain: Domain, layout: LayoutKind): HostOperand {
    return this.operand(shape, dtype, domain, layoutApplies(layout, shape) ? layout : 'contiguous')!;
  }

  /**
   * Applies `apply` through the public ops on the candidate (operands in their layouts) and on the
   * reference (contiguous copies), then compares shape, dtype of the read data, and values.
   */
  async check(label: string, operands: readonly HostOperand[], apply: (s: Side) => Tensor): Promise<void> {
    const owned: Tensor[] = [];
    const keep = <T extends Tensor>(t: T): T => (owned.push(t), t);
    const full = `${label} (${operands.map(describeOperand).join(', ')})`;
    try {
      const cx = operands.map((o) => operandTensor(this.be, o, owned));
      const rx = operands.map((o) => keep(tensor(this.ref, typed(this.refDtype(o.dtype), o.values), o.shape, this.refDtype(o.dtype))));
      const y = keep(apply({ be: this.be, xs: cx, dt: (d) => d, keep }));
      const r = keep(apply({ be: this.ref, xs: rx, dt: (d) => this.refDtype(d), keep }));
      if (!sameShape(y.shape, r.shape)) throw new CloseAssertionError(`${full}: shape ${fmtShape(y.shape)}, the reference gives ${fmtShape(r.shape)}.`);
      const got = await y.read();
      checkRead(full, got, y.dtype, y.size);
      const want = await r.read();
      expectClose(got, want, this.tolerance(y.dtype, operands.map((o) => o.dtype)), full);
    } finally {
      for (const t of owned.reverse()) t.dispose();
    }
  }

  /**
   * Calls a kernel directly on handcrafted views of the operands' storage and compares its
   * output (read as a contiguous `out`) with `reference` run through the public ops on the reference.
   */
  async checkKernel(
    label: string,
    operands: readonly HostOperand[],
    kernel: (k: Kernels, views: readonly View[]) => Handle,
    out: { shape: Shape; dtype: DType },
    reference: (s: Side) => Tensor,
  ): Promise<void> {
    const handles: Handle[] = [];
    const owned: Tensor[] = [];
    const keep = <T extends Tensor>(t: T): T => (owned.push(t), t);
    const full = `kernels.${label} (${operands.map(describeOperand).join(', ')})`;
    try {
      const views = operands.map((o) => operandView(this.be, o, handles));
      const h = kernel(this.be.kernels, views);
      if (views.some((v) => v.handle === h)) throw new CloseAssertionError(`${full}: the kernel returned one of its inputs' handles; kernels must return fresh memory.`);
      handles.push(h);
      // Kernels never write into their inputs.
      for (const [i, o] of operands.entries()) {
        const whole = { handle: views[i]!.handle, dtype: o.dtype, shape: [o.storage.length], strides: [1], offset: 0 };
        expectClose(await this.be.read(whole), typed(o.dtype, o.storage), o.dtype === 'f32' || o.dtype === 'f64' ? { rtol: 0, atol: 0 } : o.dtype, `${full}: input ${i} afterwards`);
      }
      const got = await this.be.read({ handle: h, dtype: out.dtype, shape: out.shape, strides: contiguousStrides(out.shape), offset: 0 });
      checkRead(full, got, out.dtype, got.length);
      const rx = operands.map((o) => keep(tensor(this.ref, typed(this.refDtype(o.dtype), o.values), o.shape, this.refDtype(o.dtype))));
      const r = keep(reference({ be: this.ref, xs: rx, dt: (d) => this.refDtype(d), keep }));
      if (!sameShape(out.shape, r.shape)) throw new Error(`${full}: test bug, out shape ${fmtShape(out.shape)} vs reference ${fmtShape(r.shape)}.`);
      expectClose(got, await r.read(), this.tolerance(out.dtype, operands.map((o) => o.dtype)), full);
    } finally {
      for (const h of handles) this.be.free(h);
      for (const t of owned.reverse()) t.dispose();
    }
  }
}

function checkRead(label: string, data: ArrayLike<number>, dtype: DType, size: number): void {
  if (!ArrayBuffer.isView(data) || dtypeOfArray(data as never) !== dtype)
    throw new CloseAssertionError(`${label}: read() returned ${Object.prototype.toString.call(data)} for a ${dtype} tensor.`);
  if (data.length !== size) throw new CloseAssertionError(`${label}: read() returned ${data.length} elements, the tensor has ${size}.`);
}
