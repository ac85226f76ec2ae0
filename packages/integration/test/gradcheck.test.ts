// gradcheck and jvpcheck, in f64 on the CPU reference backend, for every differentiable primitive
// and composite op; plus proof that the checkers catch a wrong derivative.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { customVjp } from '@rnnkit/autograd';
import {
  abs, add, cast, clamp, concat, copy, createRng, div, exp, expand, gather, log, logSoftmax, logSumExp, matmul, max, maximum, mean,
  min, minimum, mul, narrow, neg, permute, pow, relu, reshape, scatterAdd, select, sigmoid, slice, softmax, split, sqrt, square,
  stack, sub, sum, tanh, tensor, transpose, where, type Shape, type Tensor,
} from '@rnnkit/tensor';
import { assertGradcheck, assertJvpcheck, gradcheck, jvpcheck, type GradcheckOptions, type TensorFn } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';

const be = createCpuBackend();

type Domain = 'any' | 'positive' | 'awayFromZero' | 'awayFromUnit';

/** Seeded f64 inputs, kept clear of kinks: |x| ≥ 0.3 away from zero, ||x| − 1| ≥ 0.2 for clamp. */
function input(seed: number, shape: Shape, domain: Domain = 'any'): Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const sign = () => (rng.nextFloat() < 0.5 ? -1 : 1);
  const draw: Record<Domain, () => number> = {
    any: () => rng.nextNormal(),
    positive: () => 0.5 + 1.5 * rng.nextFloat(),
    awayFromZero: () => sign() * (0.3 + 1.5 * rng.nextFloat()),
    awayFromUnit: () => sign() * [0.1 + 0.7 * rng.nextFloat(), 1.2 + rng.nextFloat()][rng.nextFloat() < 0.5 ? 0 : 1]!,
  };
  return tensor(be, Float64Array.from({ length: n }, draw[domain]), shape, 'f64');
}
const indices = (values: number[], shape: Shape = [values.length]) => tensor(be, Int32Array.from(values), shape, 'i32');
const bools = (values: number[], shape: Shape) => tensor(be, Uint8Array.from(values), shape, 'bool');

interface Case {
  readonly name: string;
  readonly f: TensorFn;
  readonly inputs: () => Tensor[];
  readonly options?: GradcheckOptions;
}

// Ops inside f create intermediates; gradcheck runs f inside scope(), which frees them.
const CASES: readonly Case[] = [
  // unary primitives and elementwise composites
  { name: 'neg', f: (x) => neg(x), inputs: () => [input(1, [3, 4])] },
  { name: 'abs (away from 0)', f: (x) => abs(x), inputs: () => [input(2, [3, 4], 'awayFromZero')] },
  { name: 'exp', f: (x) => exp(x), inputs: () => [input(3, [3, 4])] },
  { name: 'log', f: (x) => log(x), inputs: () => [input(4, [3, 4], 'positive')] },
  { name: 'sqrt', f: (x) => sqrt(x), inputs: () => [input(5, [3, 4], 'positive')] },
  { name: 'tanh', f: (x) => tanh(x), inputs: () => [input(6, [3, 4])] },
  { name: 'sigmoid', f: (x) => sigmoid(x), inputs: () => [input(7, [3, 4])] },
  { name: 'relu (away from 0)', f: (x) => relu(x), inputs: () => [input(8, [3, 4], 'awayFromZero')] },
  { name: 'square', f: (x) => square(x), inputs: () => [input(9, [3, 4])] },
  { name: 'clamp(-1, 1) (away from the bounds)', f: (x) => clamp(x, -1, 1), inputs: () => [input(10, [3, 4], 'awayFromUnit')] },
  // binary primitives, with broadcasting
  { name: 'add [3,1] + [1,4]', f: (a, b) => add(a, b), inputs: () => [input(11, [3, 1]), input(12, [1, 4])] },
  { name: 'sub [2,3] - []', f: (a, b) => sub(a, b), inputs: () => [input(13, [2, 3]), input(14, [])] },
  { name: 'mul [4] * [3,4]', f: (a, b) => mul(a, b), inputs: () => [input(15, [4]), input(16, [3, 4])] },
  { name: 'div [3,4] / [3,1]', f: (a, b) => div(a, b), inputs: () => [input(17, [3, 4]), input(18, [3, 1], 'awayFromZero')] },
  { name: 'pow [3,4] ^ [4]', f: (a, b) => pow(a, b), inputs: () => [input(19, [3, 4], 'positive'), input(20, [4])] },
  { name: 'maximum [3,1] vs [1,4]', f: (a, b) => maximum(a, b), inputs: () => [input(21, [3, 1]), input(22, [1, 4])] },
  { name: 'minimum [2,3] vs [3]', f: (a, b) => minimum(a, b), inputs: () => [input(23, [2, 3]), input(24, [3])] },
  { name: 'where (bool condition passed through)', f: (c, a, b) => where(c, a, b), inputs: () => [bools([1, 0, 0, 1, 1, 0], [2, 3]), input(25, [2, 3]), input(26, [3])] },
  // reductions
  { name: 'sum over all', f: (x) => sum(x), inputs: () => [input(27, [3, 4])] },
  { name: 'sum over axis 1 keepDims', f: (x) => sum(x, 1, true), inputs: () => [input(28, [2, 3, 4])] },
  { name: 'sum over axes [0, 2]', f: (x) => sum(x, [0, 2]), inputs: () => [input(29, [2, 3, 4])] },
  { name: 'max over axis 1', f: (x) => max(x, 1), inputs: () => [input(30, [3, 5])] },
  { name: 'max over all', f: (x) => max(x), inputs: () => [input(31, [3, 5])] },
  { name: 'min over axes [0, 2]', f: (x) => min(x, [0, 2]), inputs: () => [input(32, [2, 3, 4])] },
  { name: 'mean over axis 0', f: (x) => mean(x, 0), inputs: () => [input(33, [4, 3])] },
  { name: 'mean over all', f: (x) => mean(x), inputs: () => [input(34, [2, 3, 4])] },
  // matmul
  { name: 'matmul 2-D', f: (a, b) => matmul(a, b), inputs: () => [input(35, [3, 4]), input(36, [4, 5])] },
  { name: 'matmul batched, broadcast batch', f: (a, b) => matmul(a, b), inputs: () => [input(37, [2, 1, 3, 4]), input(38, [3, 4, 2])] },
  { name: 'matmul 1-D @ 2-D', f: (a, b) => matmul(a, b), inputs: () => [input(39, [4]), input(40, [4, 3])] },
  { name: 'matmul 2-D @ 1-D', f: (a, b) => matmul(a, b), inputs: () => [input(41, [3, 4]), input(42, [4])] },
  { name: 'matmul 1-D @ 1-D', f: (a, b) => matmul(a, b), inputs: () => [input(43, [5]), input(44, [5])] },
  { name: 'matmul of transposed views', f: (a, b) => matmul(transpose(a), transpose(b)), inputs: () => [input(45, [4, 3]), input(46, [5, 4])] },
  // views and data movement
  { name: 'reshape', f: (x) => reshape(x, [4, 3]), inputs: () => [input(47, [2, 6])] },
  { name: 'reshape of a permuted view (copy)', f: (x) => reshape(permute(x, [1, 0]), [-1]), inputs: () => [input(48, [3, 4])] },
  { name: 'permute', f: (x) => permute(x, [2, 0, 1]), inputs: () => [input(49, [2, 3, 4])] },
  { name: 'transpose', f: (x) => transpose(x), inputs: () => [input(50, [3, 4])] },
  { name: 'slice', f: (x) => slice(x, [1, 0, 1], [2, 2, 4]), inputs: () => [input(51, [2, 3, 4])] },
  { name: 'narrow', f: (x) => narrow(x, 1, 1, 2), inputs: () => [input(52, [3, 4])] },
  { name: 'select', f: (x) => select(x, 0, 1), inputs: () => [input(53, [3, 4])] },
  { name: 'expand [3,1] -> [2,3,4]', f: (x) => expand(x, [2, 3, 4]), inputs: () => [input(54, [3, 1])] },
  { name: 'copy of a permuted view', f: (x) => copy(permute(x, [1, 0])), inputs: () => [input(55, [3, 4])] },
  { name: 'concat along axis 1', f: (a, b) => concat([a, b], 1), inputs: () => [input(56, [2, 3]), input(57, [2, 2])] },
  { name: 'split (weighted pieces)', f: (x) => { const [p, q] = split(x, [1, 3], 1); return sub(mul(p!, 2), sum(q!, 1, true)); }, inputs: () => [input(58, [3, 4])] },
  { name: 'stack along axis 1', f: (a, b) => stack([a, b], 1), inputs: () => [input(59, [2, 3]), input(60, [2, 3])] },
  { name: 'cast f64 -> f64', f: (x) => cast(x, 'f64'), inputs: () => [input(61, [3, 4])] },
  // indexing: only the float operand is differentiated
  { name: 'gather rows (repeated indices: table grad accumulates)', f: (t, i) => gather(t, i, 0), inputs: () => [input(62, [5, 3]), indices([4, 0, 4, 2])] },
  { name: 'gather along axis 1 with 2-D indices', f: (t, i) => gather(t, i, 1), inputs: () => [input(63, [3, 4]), indices([3, 1, 1, 0], [2, 2])] },
  { name: 'scatterAdd (updates grad)', f: (i, u) => scatterAdd(i, u, [5, 3], 0), inputs: () => [indices([1, 1, 4, 0, 1, 4]), input(64, [6, 3])] },
  // softmax family
  { name: 'softmax over the last axis', f: (x) => softmax(x), inputs: () => [input(65, [3, 5])] },
  { name: 'softmax over axis 0', f: (x) => softmax(x, 0), inputs: () => [input(66, [3, 5])] },
  { name: 'logSoftmax', f: (x) => logSoftmax(x), inputs: () => [input(67, [3, 5])] },
  { name: 'logSumExp over the last axis', f: (x) => logSumExp(x), inputs: () => [input(68, [3, 5])] },
  { name: 'logSumExp keepDims over axis 0', f: (x) => logSumExp(x, 0, true), inputs: () => [input(69, [3, 5])] },
  // a composite of several ops (an RNN-like step)
  {
    name: 'tanh(x W + h U + b)',
    f: (x, h, w, u, b) => tanh(add(add(matmul(x, w), matmul(h, u)), b)),
    inputs: () => [input(70, [2, 3]), input(71, [2, 4]), input(72, [3, 4]), input(73, [4, 4]), input(74, [4])],
  },
];

async function withInputs<R>(make: () => Tensor[], fn: (xs: Tensor[]) => Promise<R>): Promise<R> {
  const xs = make();
  try {
    return await fn(xs);
  } finally {
    for (const x of xs) x.dispose();
  }
}

describe('gradcheck: reverse mode of every differentiable op (f64, CPU)', () => {
  it.each(CASES)('$name', async ({ f, inputs, options }) => {
    const before = be.stats().liveHandles;
    await withInputs(inputs, (xs) => assertGradcheck(f, xs, options));
    expect(be.stats().liveHandles).toBe(before);
  });
});

describe('jvpcheck: forward mode of every differentiable op (f64, CPU)', () => {
  it.each(CASES)('$name', async ({ f, inputs, options }) => {
    const before = be.stats().liveHandles;
    await withInputs(inputs, (xs) => assertJvpcheck(f, xs, options));
    expect(be.stats().liveHandles).toBe(before);
  });
});

describe('the checkers themselves', () => {
  // x² with a derivative that forgets the factor 2 (and a forward rule that does too).
  const wrongSquare = customVjp('wrongSquare', (x) => ({ outputs: mul(x, x), residuals: [x] }), {
    vjp: ([g], [x]) => [g ? mul(g, x!) : null],
    jvp: ([t], [x]) => [t ? mul(t, x!) : null],
  });
  const rightSquare = customVjp('rightSquare', (x) => ({ outputs: mul(x, x), residuals: [x] }), {
    vjp: ([g], [x]) => [g ? mul(mul(g, x!), 2) : null],
    jvp: ([t], [x]) => [t ? mul(mul(t, x!), 2) : null],
  });
  const wrong: TensorFn = (x) => wrongSquare(x)[0]!;
  const right: TensorFn = (x) => rightSquare(x)[0]!;

  it('gradcheck detects a wrong backward rule and names the element', async () => {
    await withInputs(
      () => [input(80, [2, 3])],
      async (xs) => {
        const r = await gradcheck(wrong, xs);
        expect(r.ok).toBe(false);
        expect(r.failures[0]).toMatch(/input 0 \[2, 3\] element \[0, 0\]: analytic .* numeric/);
        expect(r.maxAbsDiff).toBeGreaterThan(1e-3);
        await expect(assertGradcheck(wrong, xs)).rejects.toThrow(/comparison\(s\) failed/);
      },
    );
  });

  it('gradcheck passes the same function with the right rule (so the failure above is the rule)', async () => {
    await withInputs(() => [input(80, [2, 3])], async (xs) => expect((await gradcheck(right, xs)).ok).toBe(true));
  });

  it('random directions alone detect a wrong rule', async () => {
    await withInputs(
      () => [input(81, [4, 5])],
      async (xs) => {
        const r = await gradcheck(wrong, xs, { maxElements: 0, randomDirections: 3 });
        expect(r.ok).toBe(false);
        expect(r.inputs[0]!.checked).toHaveLength(0);
        expect(r.inputs[0]!.directions).toHaveLength(3);
        expect(r.failures[0]).toMatch(/random direction/);
      },
    );
  });

  it('jvpcheck detects a wrong forward rule', async () => {
    await withInputs(
      () => [input(82, [2, 3])],
      async (xs) => {
        expect((await jvpcheck(wrong, xs)).ok).toBe(false);
        expect((await jvpcheck(right, xs)).ok).toBe(true);
      },
    );
  });

  it('large inputs are checked on a sample of elements plus random directions', async () => {
    await withInputs(
      () => [input(83, [20, 10])],
      async (xs) => {
        const r = await assertGradcheck((x) => tanh(x), xs, { maxElements: 16, randomDirections: 2 });
        expect(r.inputs[0]!.checked).toHaveLength(16);
        expect(new Set(r.inputs[0]!.checked).size).toBe(16);
        expect(r.inputs[0]!.directions).toHaveLength(2);
        expect(r.analytic[0]).toHaveLength(200);
      },
    );
  });

  it('integer inputs pass through undifferentiated; wrt picks inputs explicitly', async () => {
    await withInputs(
      () => [input(84, [5, 3]), indices([0, 2, 2]), input(85, [3, 3])],
      async (xs) => {
        const f: TensorFn = (t, i, w) => mul(gather(t, i, 0), w);
        const all = await assertGradcheck(f, xs);
        expect(all.inputs.map((r) => r.index)).toEqual([0, 2]);
        const one = await assertGradcheck(f, xs, { wrt: [2] });
        expect(one.inputs.map((r) => r.index)).toEqual([2]);
        await expect(gradcheck(f, xs, { wrt: [1] })).rejects.toThrow(/only f32\/f64 inputs/);
      },
    );
  });

  it('leaves no handles behind and does not touch its inputs', async () => {
    await withInputs(
      () => [input(86, [3, 4])],
      async (xs) => {
        const before = be.stats().liveHandles;
        const data = await xs[0]!.read();
        await assertGradcheck((x) => softmax(x), xs);
        await assertJvpcheck((x) => softmax(x), xs);
        expect(be.stats().liveHandles).toBe(before);
        expect(await xs[0]!.read()).toEqual(data);
      },
    );
  });

  it('a function that leaks is reported', async () => {
    const leaked: Tensor[] = [];
    await withInputs(
      () => [input(87, [3])],
      async (xs) => {
        // Tensors made outside any scope (here: kept in a closure) survive f; gradcheck counts them.
        const r = await gradcheck((x) => {
          const y = exp(x);
          leaked.push(y.retain());
          return y;
        }, xs);
        expect(r.leakedHandles).toBeGreaterThan(0);
        expect(r.ok).toBe(false);
      },
    );
    for (const t of leaked) t.dispose();
  });
});
