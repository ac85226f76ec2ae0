import { jvp, valueAndGrad } from '@rnnkit/autograd';
import {
  createRng, fail, fmtShape, isFloat, mul, scope, sum, tensor, type Backend, type Rng, type Tensor, type TypedArray,
} from '@rnnkit/tensor';
import { CloseAssertionError, isClose, tolerances } from './tolerance.js';

/** A function of tensors to check; it must not dispose its inputs. */
export type TensorFn = (...inputs: Tensor[]) => Tensor;

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6 for f64 inputs, 1e-3 for f32). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-7 for f64, 1e-2 for f32). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-6 for f64, 1e-2 for f32). */
  readonly rtol?: number;
  /** Random directions d per input for which ⟨grad, d⟩ is compared with a directional difference (default 2). */
  readonly randomDirections?: number;
  /** Inputs up to this many elements are checked element by element; larger ones on a random sample of that many (default 64). */
  readonly maxElements?: number;
  /** Indexes of the inputs to differentiate (default: every f32/f64 input); the rest are passed through unchanged. */
  readonly wrt?: readonly number[];
  /** Seed of the cotangent, the directions and the sampled elements (default 0). */
  readonly seed?: number;
  /** Fail when the backend holds more live handles afterwards than before (default true). */
  readonly checkLeaks?: boolean;
}

/** One differentiated input. */
export interface InputCheck {
  /** Position of the input in the argument list. */
  readonly index: number;
  readonly shape: readonly number[];
  /** The full analytic gradient (reverse mode), or tangent-output for `jvpcheck`. */
  readonly analytic: Float64Array;
  /** Central differences at the `checked` elements; NaN elsewhere. */
  readonly numeric: Float64Array;
  /** The elements compared one by one. */
  readonly checked: readonly number[];
  /** ⟨analytic, d⟩ and the directional difference for each random direction d. */
  readonly directions: readonly { readonly analytic: number; readonly numeric: number }[];
}

export interface GradcheckResult {
  readonly ok: boolean;
  /** Largest |analytic − numeric| over every comparison made. */
  readonly maxAbsDiff: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|). */
  readonly maxRelDiff: number;
  /** Analytic gradients, one per differentiated input (same order as `inputs`). */
  readonly analytic: readonly Float64Array[];
  /** Numeric gradients, one per differentiated input (NaN where an element was not checked). */
  readonly numeric: readonly Float64Array[];
  readonly inputs: readonly InputCheck[];
  /** Handles the check left alive on the backend (autograd or `f` leaking); 0 when clean. */
  readonly leakedHandles: number;
  /** One line per failed comparison (at most 10), empty when ok. */
  readonly failures: readonly string[];
  /** A readable summary; names the first failures. */
  readonly message: string;
}

interface Resolved {
  eps: number;
  atol: number;
  rtol: number;
  directions: number;
  maxElements: number;
  wrt: number[];
  checkLeaks: boolean;
  rng: Rng;
}

function resolveOptions(op: string, inputs: readonly Tensor[], o: GradcheckOptions): Resolved {
  if (inputs.length === 0) fail(`${op}: needs at least one input tensor.`);
  const wrt = o.wrt ? [...o.wrt] : inputs.flatMap((t, i) => (isFloat(t.dtype) ? [i] : []));
  if (wrt.length === 0) fail(`${op}: no floating-point input to differentiate (dtypes ${inputs.map((t) => t.dtype).join(', ')}).`);
  for (const i of wrt) {
    const t = inputs[i];
    if (!t) fail(`${op}: wrt index ${i} is out of range for ${inputs.length} inputs.`);
    if (!isFloat(t.dtype)) fail(`${op}: input ${i} is ${t.dtype} ${fmtShape(t.shape)}; only f32/f64 inputs can be differentiated (leave it out of wrt).`);
  }
  const low = wrt.some((i) => inputs[i]!.dtype === 'f32');
  return {
    eps: o.eps ?? (low ? 1e-3 : 1e-6),
    atol: o.atol ?? (low ? 1e-2 : 1e-7),
    rtol: o.rtol ?? (low ? 1e-2 : 1e-6),
    directions: o.randomDirections ?? 2,
    maxElements: o.maxElements ?? 64,
    wrt,
    checkLeaks: o.checkLeaks ?? true,
    rng: createRng(o.seed ?? 0),
  };
}

// Multi-index of flat element `i` of `shape`, for messages.
function indexOf(shape: readonly number[], i: number): string {
  const idx: number[] = [];
  for (let a = shape.length - 1; a >= 0; a--) {
    idx.unshift(i % shape[a]!);
    i = Math.floor(i / shape[a]!);
  }
  return fmtShape(idx);
}

function toF64(data: TypedArray): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

// Host data of an input in its own dtype, so perturbed copies upload without surprises.
function like(t: Tensor, values: Float64Array): TypedArray {
  return t.dtype === 'f32' ? Float32Array.from(values) : Float64Array.from(values);
}

/** Evaluates f on `inputs` with input `k` replaced by host values, and reads the output back. */
async function evalWith(f: TensorFn, be: Backend, inputs: readonly Tensor[], k: number, values: Float64Array): Promise<Float64Array> {
  const x = inputs[k]!;
  const replaced = tensor(be, like(x, values), x.shape, x.dtype);
  try {
    return await evalOn(f, inputs.map((t, i) => (i === k ? replaced : t)));
  } finally {
    replaced.dispose();
  }
}

async function evalOn(f: TensorFn, inputs: readonly Tensor[]): Promise<Float64Array> {
  const y = scope(() => f(...inputs));
  try {
    return toF64(await y.read());
  } finally {
    if (!inputs.includes(y)) y.dispose();
  }
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

// Up to `n` distinct elements of 0..size-1: all of them when size ≤ n, else a seeded sample (sorted).
function pickElements(rng: Rng, size: number, n: number): number[] {
  if (size <= n) return Array.from({ length: size }, (_, i) => i);
  return [...rng.permutation(size).subarray(0, n)].sort((a, b) => a - b);
}

/** Collects comparisons and the worst differences. */
class Tally {
  maxAbsDiff = 0;
  maxRelDiff = 0;
  failures: string[] = [];
  failed = 0;
  constructor(readonly atol: number, readonly rtol: number) {}

  compare(analytic: number, numeric: number, what: () => string): void {
    const d = Math.abs(analytic - numeric);
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    if (Number.isFinite(d)) {
      this.maxAbsDiff = Math.max(this.maxAbsDiff, d);
      if (scale > 0) this.maxRelDiff = Math.max(this.maxRelDiff, d / scale);
    }
    if (!isClose(analytic, numeric, this.atol, this.rtol)) {
      this.failed++;
      if (this.failures.length < 10) this.failures.push(`${what()}: analytic ${analytic}, numeric ${numeric} (|diff| ${d}).`);
    }
  }

  summary(kind: string, leaked: number): string {
    const head = `${kind}: max |diff| ${this.maxAbsDiff.toExponential(3)}, max rel diff ${this.maxRelDiff.toExponential(3)} (atol ${this.atol}, rtol ${this.rtol})`;
    const leak = leaked > 0 ? [`${leaked} handle(s) leaked on the backend.`] : [];
    if (this.failed === 0 && leaked === 0) return `${head}: ok.`;
    return [`${head}: ${this.failed} comparison(s) failed.`, ...this.failures, ...leak].join('\n  ');
  }
}

function replaceAt(inputs: readonly Tensor[], wrt: readonly number[], xs: readonly Tensor[]): Tensor[] {
  const all = [...inputs];
  wrt.forEach((k, j) => (all[k] = xs[j]!));
  return all;
}

/**
 * Checks reverse-mode gradients against central differences. The scalar checked is
 * F(x) = Σ f(x)·w for a fixed seeded random cotangent w (so every output element matters with a
 * different weight): ∂F/∂x from `valueAndGrad` is compared element by element with
 * (F(x + eps·e_i) − F(x − eps·e_i)) / 2eps, and, for a few random directions d, ⟨∂F/∂x, d⟩ with
 * (F(x + eps·d) − F(x − eps·d)) / 2eps. Use f64 inputs on a reference backend. Every tensor it
 * creates is disposed; with `checkLeaks` a handle left alive fails the check.
 */
export async function gradcheck(f: TensorFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<GradcheckResult> {
  const o = resolveOptions('gradcheck', inputs, options);
  const be = inputs[0]!.backend;
  const before = be.stats().liveHandles;
  const tally = new Tally(o.atol, o.rtol);

  // The cotangent w: seeded normal values in the output's shape and dtype.
  const probe = scope(() => f(...inputs));
  const yShape = [...probe.shape];
  const yDtype = probe.dtype;
  let y0: Float64Array;
  try {
    y0 = toF64(await probe.read());
  } finally {
    if (!inputs.includes(probe)) probe.dispose();
  }
  if (!isFloat(yDtype)) fail(`gradcheck: f must return a floating-point tensor, got ${yDtype} ${fmtShape(yShape)}.`);
  const wHost = o.rng.normalArray(y0.length);
  const w = tensor(be, yDtype === 'f32' ? Float32Array.from(wHost) : wHost, yShape, yDtype);
  const wValues = toF64(await w.read());

  const reports: InputCheck[] = [];
  try {
    const objective = (xs: Tensor[]): Tensor => sum(mul(f(...replaceAt(inputs, o.wrt, xs)), w));
    const { value, grads } = scope(() => valueAndGrad(objective)(o.wrt.map((k) => inputs[k]!)));
    let analytic: Float64Array[];
    try {
      analytic = await Promise.all(grads.map(async (g) => toF64(await g.read())));
      tally.compare((await value.read())[0]!, dot(y0, wValues), () => 'value of Σ f(x)·w');
    } finally {
      value.dispose();
      for (const g of grads) g.dispose();
    }

    const F = async (k: number, values: Float64Array): Promise<number> => dot(await evalWith(f, be, inputs, k, values), wValues);
    for (const [j, k] of o.wrt.entries()) {
      const x = inputs[k]!;
      const g = analytic[j]!;
      if (g.length !== x.size) fail(`gradcheck: the gradient of input ${k} has ${g.length} elements, the input ${fmtShape(x.shape)} has ${x.size}.`);
      const base = toF64(await x.read());
      const numeric = new Float64Array(x.size).fill(NaN);
      const checked = pickElements(o.rng, x.size, o.maxElements);
      for (const i of checked) {
        const plus = Float64Array.from(base);
        const minus = Float64Array.from(base);
        plus[i]! += o.eps;
        minus[i]! -= o.eps;
        numeric[i] = ((await F(k, plus)) - (await F(k, minus))) / (2 * o.eps);
        tally.compare(g[i]!, numeric[i], () => `input ${k} ${fmtShape(x.shape)} element ${indexOf(x.shape, i)}`);
      }
      const directions: { analytic: number; numeric: number }[] = [];
      for (let r = 0; r < (x.size === 0 ? 0 : o.directions); r++) {
        const d = o.rng.normalArray(x.size);
        const norm = Math.sqrt(dot(d, d));
        for (let i = 0; i < d.length; i++) d[i]! /= norm;
        const plus = base.map((v, i) => v + o.eps * d[i]!);
        const minus = base.map((v, i) => v - o.eps * d[i]!);
        const dir = { analytic: dot(g, d), numeric: ((await F(k, plus)) - (await F(k, minus))) / (2 * o.eps) };
        directions.push(dir);
        tally.compare(dir.analytic, dir.numeric, () => `input ${k} ${fmtShape(x.shape)} random direction ${r}`);
      }
      reports.push({ index: k, shape: [...x.shape], analytic: g, numeric, checked, directions });
    }
  } finally {
    w.dispose();
  }
  const leaked = o.checkLeaks ? Math.max(0, be.stats().liveHandles - before) : 0;
  return {
    ok: tally.failed === 0 && leaked === 0,
    maxAbsDiff: tally.maxAbsDiff,
    maxRelDiff: tally.maxRelDiff,
    analytic: reports.map((r) => r.analytic),
    numeric: reports.map((r) => r.numeric),
    inputs: reports,
    leakedHandles: leaked,
    failures: tally.failures,
    message: tally.summary('gradcheck', leaked),
  };
}

export interface JvpcheckOptions extends GradcheckOptions {
  /** Tangents for the differentiated inputs (same order as `wrt`); default seeded normal values. */
  readonly tangents?: readonly Tensor[];
}

/**
 * Checks forward mode: the tangent output of `jvp` along tangents t is compared element by
 * element with (f(x + eps·t) − f(x − eps·t)) / 2eps, and jvp's primal output with f(x).
 * `randomDirections` and `maxElements` do not apply (the whole output is compared).
 * The result's `analytic`/`numeric` hold the tangent output (one entry).
 */
export async function jvpcheck(f: TensorFn, inputs: readonly Tensor[], options: JvpcheckOptions = {}): Promise<GradcheckResult> {
  const o = resolveOptions('jvpcheck', inputs, options);
  const be = inputs[0]!.backend;
  const before = be.stats().liveHandles;
  const tally = new Tally(o.atol, o.rtol);
  const primals = o.wrt.map((k) => inputs[k]!);
  const given = options.tangents;
  if (given && given.length !== primals.length) fail(`jvpcheck: ${given.length} tangents given for ${primals.length} differentiated inputs.`);
  const owned = given ? [] : primals.map((x) => tensor(be, like(x, o.rng.normalArray(x.size)), x.shape, x.dtype));
  const tangents = given ?? owned;

  let analytic: Float64Array;
  let numeric: Float64Array;
  try {
    const tHost = await Promise.all(tangents.map(async (t) => toF64(await t.read())));
    const [out, tOut] = scope(() => jvp((...xs: Tensor[]) => f(...replaceAt(inputs, o.wrt, xs)), primals, [...tangents]));
    let outValues: Float64Array;
    try {
      outValues = toF64(await out.read());
      analytic = toF64(await tOut.read());
    } finally {
      if (!inputs.includes(out)) out.dispose();
      if (!inputs.includes(tOut) && tOut !== out) tOut.dispose();
    }
    const y0 = await evalOn(f, inputs);
    const tol = tolerances(out.dtype);
    const absolute = tol.atol + (tol.atolOfMax ?? 0) * y0.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
    y0.forEach((v, i) => {
      if (!isClose(outValues[i]!, v, absolute, tol.rtol)) {
        tally.failed++;
        if (tally.failures.length < 10) tally.failures.push(`primal output element ${i}: jvp gave ${outValues[i]}, f gave ${v}.`);
      }
    });

    // f(x ± eps·t), moving every differentiated input at once.
    const shifted = async (sign: number): Promise<Float64Array> => {
      const moved = await Promise.all(
        primals.map(async (x, j) => {
          const base = toF64(await x.read());
          return tensor(be, like(x, base.map((v, i) => v + sign * o.eps * tHost[j]![i]!)), x.shape, x.dtype);
        }),
      );
      try {
        return await evalOn(f, replaceAt(inputs, o.wrt, moved));
      } finally {
        for (const t of moved) t.dispose();
      }
    };
    const plus = await shifted(1);
    const minus = await shifted(-1);
    numeric = plus.map((v, i) => (v - minus[i]!) / (2 * o.eps));
    if (analytic.length !== numeric.length) fail(`jvpcheck: the tangent output has ${analytic.length} elements, f's output has ${numeric.length}.`);
    const shape = out.shape;
    numeric.forEach((n, i) => tally.compare(analytic[i]!, n, () => `tangent output ${fmtShape(shape)} element ${indexOf(shape, i)}`));
  } finally {
    for (const t of owned) t.dispose();
  }
  const leaked = o.checkLeaks ? Math.max(0, be.stats().liveHandles - before) : 0;
  const report: InputCheck = {
    index: -1, shape: [], analytic, numeric, checked: Array.from({ length: numeric.length }, (_, i) => i), directions: [],
  };
  return {
    ok: tally.failed === 0 && leaked === 0,
    maxAbsDiff: tally.maxAbsDiff,
    maxRelDiff: tally.maxRelDiff,
    analytic: [analytic],
    numeric: [numeric],
    inputs: [report],
    leakedHandles: leaked,
    failures: tally.failures,
    message: tally.summary('jvpcheck', leaked),
  };
}

/** Runs `gradcheck` and throws an assertion error with its message when it fails. */
export async function assertGradcheck(f: TensorFn, inputs: readonly Tensor[], options?: GradcheckOptions): Promise<GradcheckResult> {
  const r = await gradcheck(f, inputs, options);
  if (!r.ok) throw new CloseAssertionError(r.message);
  return r;
}

/** Runs `jvpcheck` and throws an assertion error with its message when it fails. */
export async function assertJvpcheck(f: TensorFn, inputs: readonly Tensor[], options?: JvpcheckOptions): Promise<GradcheckResult> {
  const r = await jvpcheck(f, inputs, options);
  if (!r.ok) throw new CloseAssertionError(r.message);
  return r;
}
