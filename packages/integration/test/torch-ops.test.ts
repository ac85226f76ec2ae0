// Replays PyTorch golden fixtures (test/fixtures/ops.json, made by `python3 tools/fixtures/ops.py`)
// on the CPU backend: forward values, gradients of Σ sum(out·w) from valueAndGrad, and (f64 cases)
// forward-mode derivatives from jvp, all under the project's tolerance rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  abs, add, argMax, cast, clamp, concat, div, exp, expand, gather, log, logSoftmax, logSumExp, matmul, max, maximum, mean, min,
  minimum, mul, neg, oneHot, permute, pow, relu, reshape, scatterAdd, sigmoid, sign, slice, softmax, split, sqrt, stack, sub,
  sum, tanh, tensor, transpose, where, type Backend, type DType, type Operand, type Tensor,
} from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { jvp, valueAndGrad } from '@rnnkit/autograd';
import { expectClose, tolerances } from '@rnnkit/testing';

// ---- The fixture file --------------------------------------------------------------------------

type Num = number | 'NaN' | 'Infinity' | '-Infinity';

interface ArrayFixture {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: Num[];
}

/** A plain-number operand (rnnkit lifts it to the other operand's dtype). */
interface NumberFixture {
  readonly number: number;
}
/** A tensor input, or a plain-number operand. */
type InputFixture = ArrayFixture | NumberFixture;

interface Attrs {
  readonly axis?: number;
  readonly axes?: number | number[];
  readonly keepDims?: boolean;
  readonly sizes?: number | number[];
  readonly shape?: number[];
  readonly depth?: number;
  readonly dtype?: DType;
  readonly a?: number;
  readonly b?: number;
  readonly begin?: number[];
  readonly end?: number[];
}

interface CaseFixture {
  readonly id: string;
  readonly op: string;
  readonly dtype: DType;
  readonly attrs: Attrs;
  readonly inputs: InputFixture[];
  readonly outputs: ArrayFixture[];
  /** Present when the case checks gradients: one cotangent per output. */
  readonly cotangents?: ArrayFixture[];
  /** d Σ sum(out·w) / d input, null for inputs that are not differentiated. */
  readonly grads?: (ArrayFixture | null)[];
  /** f64 cases: a tangent per differentiated input, and J·t per output. */
  readonly tangents?: (ArrayFixture | null)[];
  readonly jvps?: ArrayFixture[];
}

interface Fixture {
  readonly torch: string;
  readonly cases: CaseFixture[];
}

const FIXTURE_URL = new URL('./fixtures/ops.json', import.meta.url);

// A missing or empty file fails the whole file (it is never skipped).
function loadFixture(): Fixture {
  let text: string;
  try {
    text = readFileSync(FIXTURE_URL, 'utf8');
  } catch (e) {
    throw new Error(`torch-ops: cannot read ${FIXTURE_URL.pathname}; generate it with \`python3 tools/fixtures/ops.py\`.`, { cause: e });
  }
  const doc = JSON.parse(text) as Fixture;
  if (!Array.isArray(doc.cases) || doc.cases.length === 0) throw new Error(`torch-ops: ${FIXTURE_URL.pathname} holds no cases.`);
  return doc;
}

const fixture = loadFixture();

const decode = (v: Num): number => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);
const isNumber = (x: InputFixture): x is NumberFixture => 'number' in x;
const isFloatDType = (d: DType) => d === 'f32' || d === 'f64';

function upload(be: Backend, a: ArrayFixture): Tensor {
  return tensor(be, a.data.map(decode), a.shape, a.dtype);
}

// ---- Comparison: the project's tolerance rule (docs/conventions.md), from @rnnkit/testing --------
// |a − b| ≤ atol + rtol·|b|, atol scaled by max|b|; f64 rtol 1e-10, f32 rtol 1e-5; i32/bool exact.

function expectArrayClose(label: string, t: Tensor, want: ArrayFixture): void {
  expect(t.dtype, `${label}: dtype`).toBe(want.dtype);
  expect([...t.shape], `${label}: shape`).toEqual(want.shape);
  expectClose(t.readSync(), want.data.map(decode), tolerances(want.dtype), `${label} vs torch`);
}

// ---- The ops, in rnnkit: one entry per op name in the JSON -------------------------------------

type Arg = Tensor | number;
type OpFn = (xs: Arg[], at: Attrs) => Tensor | Tensor[];

const T = (x: Arg | undefined): Tensor => {
  if (x === undefined || typeof x === 'number') throw new Error('torch-ops: expected a tensor input');
  return x;
};
const O = (x: Arg | undefined): Operand => {
  if (x === undefined) throw new Error('torch-ops: missing input');
  return x;
};
const need = <V>(v: V | undefined, name: string): V => {
  if (v === undefined) throw new Error(`torch-ops: attribute '${name}' is missing`);
  return v;
};

const OPS: Record<string, OpFn> = {
  add: ([a, b]) => add(O(a), O(b)),
  sub: ([a, b]) => sub(O(a), O(b)),
  mul: ([a, b]) => mul(O(a), O(b)),
  div: ([a, b]) => div(O(a), O(b)),
  pow: ([a, b]) => pow(O(a), O(b)),
  maximum: ([a, b]) => maximum(O(a), O(b)),
  minimum: ([a, b]) => minimum(O(a), O(b)),
  neg: ([x]) => neg(T(x)),
  abs: ([x]) => abs(T(x)),
  sign: ([x]) => sign(T(x)),
  exp: ([x]) => exp(T(x)),
  log: ([x]) => log(T(x)),
  sqrt: ([x]) => sqrt(T(x)),
  tanh: ([x]) => tanh(T(x)),
  sigmoid: ([x]) => sigmoid(T(x)),
  relu: ([x]) => relu(T(x)),
  clamp: ([x, lo, hi]) => clamp(T(x), O(lo), O(hi)),
  where: ([c, a, b]) => where(T(c), O(a), O(b)),
  softmax: ([x], at) => softmax(T(x), at.axis),
  logSoftmax: ([x], at) => logSoftmax(T(x), at.axis),
  logSumExp: ([x], at) => logSumExp(T(x), at.axis, at.keepDims),
  sum: ([x], at) => sum(T(x), at.axes, at.keepDims),
  mean: ([x], at) => mean(T(x), at.axes, at.keepDims),
  max: ([x], at) => max(T(x), at.axes, at.keepDims),
  min: ([x], at) => min(T(x), at.axes, at.keepDims),
  argMax: ([x], at) => argMax(T(x), at.axis, at.keepDims),
  matmul: ([a, b]) => matmul(T(a), T(b)),
  concat: (xs, at) => concat(xs.map(T), at.axis),
  stack: (xs, at) => stack(xs.map(T), at.axis),
  split: ([x], at) => split(T(x), need(at.sizes, 'sizes'), at.axis),
  gather: ([table, idx], at) => gather(T(table), T(idx), at.axis),
  scatterAdd: ([idx, upd], at) => scatterAdd(T(idx), T(upd), need(at.shape, 'shape'), at.axis),
  oneHot: ([idx], at) => oneHot(T(idx), need(at.depth, 'depth'), at.dtype),
  transpose: ([x], at) => transpose(T(x), at.a, at.b),
  permute: ([x], at) => permute(T(x), need(at.axes as number[] | undefined, 'axes')),
  slice: ([x], at) => slice(T(x), need(at.begin, 'begin'), at.end),
  expand: ([x], at) => expand(T(x), need(at.shape, 'shape')),
  reshape: ([x], at) => reshape(T(x), need(at.shape, 'shape')),
  cast: ([x], at) => cast(T(x), need(at.dtype, 'dtype')),
};

const asList = (out: Tensor | Tensor[]): Tensor[] => (Array.isArray(out) ? out : [out]);

// ---- The cases ------------------------------------------------------------------------------------

describe(`rnnkit ops match PyTorch ${fixture.torch} (CPU backend)`, () => {
  const be = createCpuBackend();
  const baseline = be.stats().liveHandles;

  it('has an rnnkit op for every op in the fixtures', () => {
    expect([...new Set(fixture.cases.map((c) => c.op))].filter((op) => !(op in OPS))).toEqual([]);
  });

  for (const c of fixture.cases) {
    it(c.id, () => {
      const before = be.stats().liveHandles;
      const made: Tensor[] = []; // everything this case creates, disposed even when it fails
      try {
        runCase(be, c, made);
      } finally {
        for (const t of made) t.dispose();
      }
      expect(be.stats().liveHandles, 'live handles after the case (an op leaked a temporary)').toBe(before);
    });
  }

  it('leaves no live handles behind', () => {
    expect(be.stats().liveHandles).toBe(baseline);
  });
});

function runCase(be: Backend, c: CaseFixture, made: Tensor[]): void {
  const op = OPS[c.op] ?? fail(`no rnnkit op for '${c.op}'`);
  const own = <X extends Tensor | Tensor[]>(x: X): X => {
    made.push(...(Array.isArray(x) ? x : [x]));
    return x;
  };
  const inputs: Arg[] = c.inputs.map((x) => (isNumber(x) ? x.number : own(upload(be, x))));
  const run = (xs: Arg[]) => asList(op(xs, c.attrs));

  // Forward.
  const outs = own(run(inputs));
  expect(outs.length, 'number of outputs').toBe(c.outputs.length);
  outs.forEach((o, k) => expectArrayClose(`output ${k}`, o, c.outputs[k]!));

  // The differentiated inputs: every f32/f64 tensor input.
  const wrt = c.inputs.flatMap((x, i) => (!isNumber(x) && isFloatDType(x.dtype) ? [i] : []));
  const primals = wrt.map((i) => T(inputs[i]));
  const substitute = (ps: readonly Tensor[]): Arg[] => {
    const xs = [...inputs];
    wrt.forEach((i, k) => (xs[i] = ps[k]!));
    return xs;
  };

  // Reverse mode: d Σ sum(out_k · w_k) / d input.
  if (c.cotangents && c.grads) {
    const ws = c.cotangents.map((w) => own(upload(be, w)));
    const loss = (ps: Tensor[]): Tensor => run(substitute(ps)).map((o, k) => sum(mul(o, ws[k]!))).reduce((acc, t) => add(acc, t));
    const { value, grads } = valueAndGrad(loss)(primals);
    own(value);
    own(grads);
    wrt.forEach((i, k) => expectArrayClose(`grad of input ${i}`, grads[k]!, c.grads![i] ?? fail(`${c.id} has no gradient for input ${i}`)));
  }

  // Forward mode (f64 cases): J·t for each output.
  if (c.tangents && c.jvps) {
    const ts = wrt.map((i) => own(upload(be, c.tangents![i] ?? fail(`${c.id} has no tangent for input ${i}`))));
    c.jvps.forEach((want, k) => {
      const [, dout] = own(jvp((...ps) => run(substitute(ps))[k]!, primals, ts));
      expectArrayClose(`jvp of output ${k}`, dout, want);
    });
  }
}

function fail(message: string): never {
  throw new Error(`torch-ops: ${message}`);
}
