// The conformance matrix as tables: each row becomes one vitest test per dtype it applies to.
import {
  add, cast, concat, copy, expand, fmtShape, full, gather, isFloat, matmul, narrow, permute, reduce, reshape,
  scatterAdd, select, sizeOf, slice, split, squeeze, stack, tensor, transpose, unary, unsqueeze, where, binary,
  type BinaryOp, type DType, type FusedKernels, type ReduceOp, type Shape, type Tensor, type UnaryOp,
} from '@rnnkit/tensor';
import { CloseAssertionError } from '../tolerance.js';
import { crossEntropyCases, fusedCases, matmulBiasCases } from './fused-cases.js';
import { describeOperand, type Harness, type Side } from './harness.js';
import { fixedOperand, LAYOUTS, layoutApplies, makeOperand, operandView, typed, type Domain, type HostOperand, type LayoutKind } from './operands.js';

/** One generated test: `run` is called once for each dtype in `dtypes` the candidate supports. */
export interface ConformanceCase {
  readonly group: string;
  readonly title: string;
  readonly dtypes: readonly DType[];
  /** Only on backends with `capabilities.ieeeSpecialValues`. */
  readonly ieee?: boolean;
  /** Other dtypes the backend must support, else the test is skipped. */
  readonly requires?: readonly DType[];
  /** An optional fused kernel under test: skipped on backends without it. */
  readonly requiresFused?: keyof FusedKernels;
  run(h: Harness, dtype: DType): Promise<void>;
}

const FLOATS: readonly DType[] = ['f32', 'f64'];
const NUMERIC: readonly DType[] = ['f32', 'f64', 'i32'];
const ALL: readonly DType[] = ['f32', 'f64', 'i32', 'bool'];

/** Element-wise shapes: scalar, empty, odd sizes around workgroup sizes 64/256, multi-axis. */
const SHAPES: readonly Shape[] = [[], [0], [2, 0, 3], [1], [7], [33], [64], [257], [1031], [3, 5], [2, 3, 4], [4, 1, 65]];
/** The shapes kernels see directly (every layout over each). */
const KERNEL_SHAPES: readonly Shape[] = [[], [0], [7], [33], [257], [3, 5], [2, 3, 4], [4, 1, 65]];

// Layout combinations for ops with several operands (inapplicable ones fall back to contiguous).
const LAYOUT_MIXES: readonly (readonly LayoutKind[])[] = [
  ['contiguous', 'contiguous', 'contiguous'],
  ['offset', 'permuted', 'strided'],
  ['permuted', 'strided', 'expanded'],
  ['expanded', 'offset', 'permuted'],
  ['strided', 'expanded', 'offset'],
];

const ALL_INDEXES = (n: number) => Array.from({ length: n }, (_, i) => i);
const keepDimsShape = (shape: Shape, axes: readonly number[]) => shape.map((d, i) => (axes.includes(i) ? 1 : d));

// ---------------------------------------------------------------- unary

const UNARY: readonly { op: UnaryOp; dtypes: readonly DType[]; domains: readonly Domain[] }[] = [
  { op: 'neg', dtypes: NUMERIC, domains: ['any'] },
  { op: 'abs', dtypes: NUMERIC, domains: ['any'] },
  { op: 'sign', dtypes: NUMERIC, domains: ['ties', 'any'] },
  { op: 'exp', dtypes: FLOATS, domains: ['any'] },
  { op: 'log', dtypes: FLOATS, domains: ['positive'] },
  { op: 'sqrt', dtypes: FLOATS, domains: ['positive'] },
  { op: 'tanh', dtypes: FLOATS, domains: ['any', 'large'] },
  { op: 'sigmoid', dtypes: FLOATS, domains: ['any', 'large'] },
  { op: 'isFinite', dtypes: NUMERIC, domains: ['any'] },
];

const unaryCases: ConformanceCase[] = UNARY.flatMap(({ op, dtypes, domains }) => [
  {
    group: 'unary',
    title: `${op} over the shape matrix and view layouts`,
    dtypes,
    async run(h, d) {
      for (const shape of SHAPES)
        for (const domain of domains)
          for (const layout of LAYOUTS) {
            const x = h.operand(shape, d, domain, layout);
            if (x) await h.check(`${op} (${domain})`, [x], (s) => unary(op, s.xs[0]!));
          }
    },
  },
  {
    group: 'unary',
    title: `kernels.unary ${op} on handcrafted strided views`,
    dtypes,
    async run(h, d) {
      for (const shape of KERNEL_SHAPES)
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, domains[0], layout);
          if (!x) continue;
          const out = { shape, dtype: op === 'isFinite' ? ('bool' as const) : d };
          await h.checkKernel(`unary ${op}`, [x], (k, [v]) => k.unary(op, v!), out, (s) => unary(op, s.xs[0]!));
        }
    },
  },
]);

// ---------------------------------------------------------------- binary

const BINARY: readonly { op: BinaryOp; dtypes: readonly DType[]; domains: readonly [Domain, Domain] }[] = [
  { op: 'add', dtypes: NUMERIC, domains: ['any', 'any'] },
  { op: 'sub', dtypes: NUMERIC, domains: ['any', 'any'] },
  { op: 'mul', dtypes: NUMERIC, domains: ['any', 'any'] },
  { op: 'div', dtypes: NUMERIC, domains: ['any', 'nonzero'] },
  { op: 'pow', dtypes: FLOATS, domains: ['positive', 'exponent'] },
  { op: 'maximum', dtypes: NUMERIC, domains: ['ties', 'any'] },
  { op: 'minimum', dtypes: NUMERIC, domains: ['ties', 'any'] },
  ...(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((op) => ({ op, dtypes: ALL, domains: ['ties', 'ties'] as const })),
];

/** Operand shape pairs: equal shapes, then broadcasting (incl. scalar and empty). */
const BINARY_SHAPES: readonly (readonly [Shape, Shape])[] = [
  [[], []], [[0], [0]], [[7], [7]], [[33], [33]], [[257], [257]], [[1031], [1031]], [[3, 5], [3, 5]], [[2, 0, 3], [2, 0, 3]],
  [[2, 3, 4], [2, 3, 4]], [[3, 1], [1, 4]], [[], [2, 3]], [[2, 3], []], [[4], [3, 4]], [[2, 1, 3], [4, 1]], [[1, 3], [0, 3]],
  [[2, 0, 3], [3]], [[65], [1]],
];

const binaryCases: ConformanceCase[] = BINARY.flatMap(({ op, dtypes, domains }) => [
  {
    group: 'binary',
    title: `${op} with broadcasting and view layouts`,
    dtypes,
    async run(h, d) {
      for (const [sa, sb] of BINARY_SHAPES)
        for (const [la, lb] of LAYOUT_MIXES) {
          const a = h.operandOr(sa, d, domains[0], la!);
          const b = h.operandOr(sb, d, domains[1], lb!);
          await h.check(op, [a, b], (s) => binary(op, s.xs[0]!, s.xs[1]!));
        }
    },
  },
  {
    group: 'binary',
    title: `kernels.binary ${op} on handcrafted views (stride-0 broadcasts)`,
    dtypes,
    async run(h, d) {
      for (const shape of KERNEL_SHAPES)
        for (const [la, lb] of LAYOUT_MIXES) {
          const a = h.operandOr(shape, d, domains[0], la!);
          const b = h.operandOr(shape, d, domains[1], lb!);
          const out = { shape, dtype: op === 'eq' || op === 'ne' || op === 'lt' || op === 'le' || op === 'gt' || op === 'ge' ? ('bool' as const) : d };
          await h.checkKernel(`binary ${op}`, [a, b], (k, [va, vb]) => k.binary(op, va!, vb!), out, (s) => binary(op, s.xs[0]!, s.xs[1]!));
        }
    },
  },
]);

// ---------------------------------------------------------------- where

const WHERE_SHAPES: readonly (readonly [Shape, Shape, Shape])[] = [
  [[], [], []], [[7], [7], [7]], [[3, 5], [3, 5], [3, 5]], [[3, 1], [1, 4], []], [[], [2, 3], [2, 3]], [[2, 3], [3], [2, 1]],
  [[0, 3], [3], []], [[1031], [1031], [1031]], [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
];

const whereCases: ConformanceCase[] = [
  {
    group: 'where',
    title: 'where with broadcasting and view layouts',
    dtypes: ALL,
    async run(h, d) {
      for (const [sc, sa, sb] of WHERE_SHAPES)
        for (const [lc, la, lb] of LAYOUT_MIXES) {
          const ops = [h.operandOr(sc, 'bool', 'any', lc!), h.operandOr(sa, d, 'any', la!), h.operandOr(sb, d, 'any', lb!)];
          await h.check('where', ops, (s) => where(s.xs[0]!, s.xs[1]!, s.xs[2]!));
        }
    },
  },
  {
    group: 'where',
    title: 'kernels.where on handcrafted views',
    dtypes: ALL,
    async run(h, d) {
      for (const shape of KERNEL_SHAPES)
        for (const [lc, la, lb] of LAYOUT_MIXES) {
          const ops = [h.operandOr(shape, 'bool', 'any', lc!), h.operandOr(shape, d, 'any', la!), h.operandOr(shape, d, 'any', lb!)];
          await h.checkKernel('where', ops, (k, [c, a, b]) => k.where(c!, a!, b!), { shape, dtype: d }, (s) => where(s.xs[0]!, s.xs[1]!, s.xs[2]!));
        }
    },
  },
];

// ---------------------------------------------------------------- reduce

/** Reductions: single, several and all axes (omitted = all); empty inputs and empty axes. */
const REDUCTIONS: readonly { shape: Shape; axes?: readonly number[]; keepDims?: boolean }[] = [
  { shape: [7] }, { shape: [] }, { shape: [3, 5], axes: [0] }, { shape: [3, 5], axes: [1], keepDims: true }, { shape: [3, 5], axes: [0, 1] },
  { shape: [2, 3, 4], axes: [1] }, { shape: [2, 3, 4], axes: [0, 2], keepDims: true }, { shape: [2, 3, 4] }, { shape: [257] },
  { shape: [1031] }, { shape: [4, 257], axes: [1] }, { shape: [33, 7], axes: [0] }, { shape: [1, 1], axes: [0] }, { shape: [65, 3], axes: [0] },
  { shape: [0] }, { shape: [2, 0, 3], axes: [1] }, { shape: [2, 0, 3], axes: [0] }, { shape: [0, 3], axes: [0], keepDims: true },
];

const REDUCE: readonly { op: ReduceOp; domain: Domain }[] = [
  { op: 'sum', domain: 'any' }, { op: 'max', domain: 'ties' }, { op: 'min', domain: 'ties' }, { op: 'argmax', domain: 'ties' },
];

// Which rows apply: argmax takes one axis over a non-empty extent; an empty max/min is ±Inf, which i32 cannot hold.
function reductionApplies(op: ReduceOp, dtype: DType, shape: Shape, axes: readonly number[]): boolean {
  const reducedSize = axes.reduce((n, a) => n * shape[a]!, 1);
  if (op === 'argmax') return axes.length === 1 && reducedSize > 0;
  if (op !== 'sum' && reducedSize === 0 && sizeOf(shape) === 0) return isFloat(dtype);
  return true;
}

const reduceCases: ConformanceCase[] = REDUCE.flatMap(({ op, domain }) => [
  {
    group: 'reduce',
    title: `${op} over single, several and all axes`,
    dtypes: NUMERIC,
    async run(h, d) {
      for (const { shape, axes, keepDims = false } of REDUCTIONS) {
        const list = axes ?? ALL_INDEXES(shape.length);
        if (!reductionApplies(op, d, shape, list)) continue;
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, domain, layout);
          if (x) await h.check(`${op} axes ${fmtShape(list)}${keepDims ? ' keepDims' : ''}`, [x], (s) => reduce(op, s.xs[0]!, axes, keepDims));
        }
      }
    },
  },
  {
    group: 'reduce',
    title: `kernels.reduce ${op} on handcrafted views`,
    dtypes: NUMERIC,
    async run(h, d) {
      for (const { shape, axes } of REDUCTIONS) {
        const list = axes ?? ALL_INDEXES(shape.length);
        if (!reductionApplies(op, d, shape, list)) continue;
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, domain, layout);
          if (!x) continue;
          const out = { shape: keepDimsShape(shape, list), dtype: op === 'argmax' ? ('i32' as const) : d };
          await h.checkKernel(`reduce ${op} ${fmtShape(list)}`, [x], (k, [v]) => k.reduce(op, v!, list), out, (s) => reduce(op, s.xs[0]!, list, true));
        }
      }
    },
  },
]);

// ---------------------------------------------------------------- matmul

/** a @ b: plain, K = 0, M or N = 0, odd sizes past tile edges, batched (broadcast batch), 1-D operands. */
const MATMULS: readonly (readonly [Shape, Shape])[] = [
  [[2, 3], [3, 4]], [[1, 1], [1, 1]], [[7, 33], [33, 5]], [[3, 0], [0, 4]], [[0, 3], [3, 2]], [[2, 3], [3, 0]], [[5, 257], [257, 3]],
  [[65, 64], [64, 65]], [[2, 3, 4], [2, 4, 5]], [[2, 1, 3, 4], [3, 4, 2]], [[4], [4, 3]], [[2, 4], [4]], [[4], [4]], [[3], [2, 3, 4]],
  [[1031], [1031]], [[1, 7], [7, 1]],
];
/** Equal batch axes, as the kernel receives them (a broadcast batch arrives as stride 0 via 'expanded'). */
const KERNEL_MATMULS: readonly (readonly [Shape, Shape])[] = [
  [[2, 3], [3, 4]], [[7, 33], [33, 5]], [[3, 0], [0, 4]], [[0, 3], [3, 2]], [[65, 64], [64, 65]], [[2, 3, 4], [2, 4, 5]], [[3, 2, 4], [3, 4, 5]],
  [[1, 1031], [1031, 1]],
];
const MATMUL_LAYOUTS: readonly (readonly [LayoutKind, LayoutKind])[] = [
  ['contiguous', 'contiguous'], ['permuted', 'contiguous'], ['contiguous', 'permuted'], ['permuted', 'permuted'], ['offset', 'strided'],
  ['expanded', 'offset'], ['strided', 'expanded'],
];

const matmulCases: ConformanceCase[] = [
  {
    group: 'matmul',
    title: 'matmul: batched with broadcast batch, transposed operands, K = 0, 1-D operands',
    dtypes: FLOATS,
    async run(h, d) {
      for (const [sa, sb] of MATMULS)
        for (const [la, lb] of MATMUL_LAYOUTS)
          await h.check('matmul', [h.operandOr(sa, d, 'any', la), h.operandOr(sb, d, 'any', lb)], (s) => matmul(s.xs[0]!, s.xs[1]!));
    },
  },
  {
    group: 'matmul',
    title: 'kernels.matmul on handcrafted views (transposed, strided, stride-0 batch)',
    dtypes: FLOATS,
    async run(h, d) {
      for (const [sa, sb] of KERNEL_MATMULS)
        for (const [la, lb] of MATMUL_LAYOUTS) {
          const a = h.operandOr(sa, d, 'any', la);
          const b = h.operandOr(sb, d, 'any', lb);
          const shape = [...sa.slice(0, -1), sb[sb.length - 1]!];
          await h.checkKernel('matmul', [a, b], (k, [va, vb]) => k.matmul(va!, vb!), { shape, dtype: d }, (s) => matmul(s.xs[0]!, s.xs[1]!));
        }
    },
  },
];

// ---------------------------------------------------------------- copy, concat, cast, fill

const CONCATS: readonly { shapes: readonly Shape[]; axis: number }[] = [
  { shapes: [[2, 3], [4, 3]], axis: 0 }, { shapes: [[2, 3], [2, 1], [2, 0]], axis: 1 }, { shapes: [[2, 3, 4], [2, 3, 4], [2, 3, 4]], axis: 1 },
  { shapes: [[0], [5]], axis: 0 }, { shapes: [[7]], axis: 0 }, { shapes: [[257], [1031]], axis: 0 }, { shapes: [[3, 1], [3, 64]], axis: 1 },
  { shapes: [[2, 3, 4], [2, 3, 1]], axis: 2 },
];

const CAST_SHAPES: readonly Shape[] = [[], [0], [7], [3, 5], [257], [2, 3, 4]];

const FILL_VALUES: Record<DType, readonly number[]> = {
  f32: [0, 1.5, -3.25, 1e30], f64: [0, 1.5, -3.25, 1e300], i32: [0, 7, -2147483648, 2147483647], bool: [0, 1],
};
const FILL_SHAPES: readonly Shape[] = [[], [0], [7], [2, 3], [1031], [2, 0, 3]];

const dataMovementCases: ConformanceCase[] = [
  {
    group: 'copy',
    title: 'copy of every view layout',
    dtypes: ALL,
    async run(h, d) {
      for (const shape of SHAPES)
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, 'any', layout);
          if (x) await h.check('copy', [x], (s) => copy(s.xs[0]!));
        }
    },
  },
  {
    group: 'copy',
    title: 'kernels.copy on handcrafted views',
    dtypes: ALL,
    async run(h, d) {
      for (const shape of KERNEL_SHAPES)
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, 'any', layout);
          if (x) await h.checkKernel('copy', [x], (k, [v]) => k.copy(v!), { shape, dtype: d }, (s) => copy(s.xs[0]!));
        }
    },
  },
  {
    group: 'concat',
    title: 'concat along each axis, with empty pieces and view layouts',
    dtypes: ALL,
    async run(h, d) {
      for (const { shapes, axis } of CONCATS)
        for (const mix of LAYOUT_MIXES) {
          const ops = shapes.map((s, i) => h.operandOr(s, d, 'any', mix[i % mix.length]!));
          await h.check(`concat axis ${axis}`, ops, (s) => concat(s.xs, axis));
        }
    },
  },
  {
    group: 'concat',
    title: 'kernels.concat on handcrafted views',
    dtypes: ALL,
    async run(h, d) {
      for (const { shapes, axis } of CONCATS)
        for (const mix of LAYOUT_MIXES) {
          const ops = shapes.map((s, i) => h.operandOr(s, d, 'any', mix[i % mix.length]!));
          const shape = shapes[0]!.map((n, i) => (i === axis ? shapes.reduce((t, s) => t + s[axis]!, 0) : n));
          await h.checkKernel(`concat axis ${axis}`, ops, (k, vs) => k.concat(vs, axis), { shape, dtype: d }, (s) => concat(s.xs, axis));
        }
    },
  },
  ...ALL.map(
    (to): ConformanceCase => ({
      group: 'cast',
      title: `cast to ${to}`,
      dtypes: ALL,
      requires: [to],
      async run(h, d) {
        for (const shape of CAST_SHAPES)
          for (const layout of LAYOUTS) {
            const x = h.operand(shape, d, 'castable', layout);
            if (!x) continue;
            await h.check(`cast ${d} -> ${to}`, [x], (s) => cast(s.xs[0]!, s.dt(to)));
            if (layout === 'contiguous' || layout === 'strided')
              await h.checkKernel(`cast ${d} -> ${to}`, [x], (k, [v]) => k.cast(v!, to), { shape, dtype: to }, (s) => cast(s.xs[0]!, s.dt(to)));
          }
      },
    }),
  ),
  {
    group: 'fill',
    title: 'fill (full) of every shape',
    dtypes: ALL,
    async run(h, d) {
      for (const shape of FILL_SHAPES)
        for (const value of FILL_VALUES[d]) {
          await h.check(`full ${fmtShape(shape)} ${value}`, [], (s) => full(s.be, shape, value, s.dt(d)));
          await h.checkKernel(`fill ${fmtShape(shape)} ${value}`, [], (k) => k.fill(shape, d, value), { shape, dtype: d }, (s) => full(s.be, shape, value, s.dt(d)));
        }
    },
  },
];

// ---------------------------------------------------------------- gather / scatterAdd

const GATHERS: readonly { table: Shape; indices: Shape; axis: number }[] = [
  { table: [5, 3], indices: [4], axis: 0 }, { table: [5, 3], indices: [2, 2], axis: 1 }, { table: [7], indices: [], axis: 0 },
  { table: [5, 3], indices: [0], axis: 0 }, { table: [3, 4, 5], indices: [6], axis: 1 }, { table: [1031], indices: [257], axis: 0 },
  { table: [64, 33], indices: [2, 65], axis: 0 }, { table: [4, 5], indices: [3], axis: 1 },
];

/** Each has more indices than slots (pigeonhole), so repeated indices must accumulate. */
const SCATTERS: readonly { shape: Shape; indices: Shape; axis: number }[] = [
  { shape: [5, 3], indices: [6], axis: 0 }, { shape: [3, 4], indices: [5], axis: 1 }, { shape: [7], indices: [], axis: 0 },
  { shape: [5, 3], indices: [0], axis: 0 }, { shape: [257], indices: [1031], axis: 0 }, { shape: [4, 5], indices: [2, 3], axis: 0 },
];

function indexOperand(h: Harness, shape: Shape, bound: number, layout: LayoutKind): HostOperand {
  const gen = (n: number) => Float64Array.from({ length: n }, () => Math.floor(h.rng.nextFloat() * bound));
  return makeOperand(shape, 'i32', layoutApplies(layout, shape) ? layout : 'contiguous', gen);
}

const indexingCases: ConformanceCase[] = [
  {
    group: 'gather',
    title: 'gather along each axis (repeated, scalar and empty indices)',
    dtypes: ALL,
    async run(h, d) {
      for (const { table, indices, axis } of GATHERS)
        for (const [lt, li] of LAYOUT_MIXES) {
          const t = h.operandOr(table, d, 'any', lt!);
          const i = indexOperand(h, indices, table[axis]!, li!);
          await h.check(`gather axis ${axis}`, [t, i], (s) => gather(s.xs[0]!, s.xs[1]!, axis));
          const shape = [...table.slice(0, axis), ...indices, ...table.slice(axis + 1)];
          await h.checkKernel(`gather axis ${axis}`, [t, i], (k, [vt, vi]) => k.gather(vt!, vi!, axis), { shape, dtype: d }, (s) => gather(s.xs[0]!, s.xs[1]!, axis));
        }
    },
  },
  {
    group: 'scatterAdd',
    title: 'scatterAdd: repeated indices accumulate',
    dtypes: NUMERIC,
    async run(h, d) {
      for (const { shape, indices, axis } of SCATTERS)
        for (const [lu, li] of LAYOUT_MIXES) {
          const updatesShape = [...shape.slice(0, axis), ...indices, ...shape.slice(axis + 1)];
          const u = h.operandOr(updatesShape, d, 'any', lu!);
          const i = indexOperand(h, indices, shape[axis]!, li!);
          await h.check(`scatterAdd axis ${axis} into ${fmtShape(shape)}`, [i, u], (s) => scatterAdd(s.xs[0]!, s.xs[1]!, shape, axis));
          await h.checkKernel(`scatterAdd axis ${axis} into ${fmtShape(shape)}`, [i, u], (k, [vi, vu]) => k.scatterAdd(shape, vi!, vu!, axis), { shape, dtype: d }, (s) =>
            scatterAdd(s.xs[0]!, s.xs[1]!, shape, axis),
          );
        }
    },
  },
];

// ---------------------------------------------------------------- views and reads

/** View ops over a source of `shape`; each result is read (honouring its layout) and copied. */
const VIEWS: readonly { name: string; shape: Shape; apply: (x: Tensor, s: Side) => Tensor }[] = [
  { name: 'reshape [2,3,4] -> [6,4]', shape: [2, 3, 4], apply: (x) => reshape(x, [6, 4]) },
  { name: 'reshape -> [-1]', shape: [2, 3, 4], apply: (x) => reshape(x, [-1]) },
  { name: 'permute [2,0,1]', shape: [2, 3, 4], apply: (x) => permute(x, [2, 0, 1]) },
  { name: 'transpose', shape: [3, 5], apply: (x) => transpose(x) },
  { name: 'slice [0,1,1]..[2,3,3]', shape: [2, 3, 4], apply: (x) => slice(x, [0, 1, 1], [2, 3, 3]) },
  { name: 'slice negative begin', shape: [7, 5], apply: (x) => slice(x, [-3, 1]) },
  { name: 'slice empty', shape: [7, 5], apply: (x) => slice(x, [2, 2], [2, 5]) },
  { name: 'narrow', shape: [2, 33], apply: (x) => narrow(x, 1, 5, 20) },
  { name: 'select', shape: [2, 3, 4], apply: (x) => select(x, 2, -1) },
  { name: 'expand [3,1] -> [2,3,5]', shape: [3, 1], apply: (x) => expand(x, [2, 3, 5]) },
  { name: 'squeeze', shape: [1, 3, 1], apply: (x) => squeeze(x) },
  { name: 'unsqueeze', shape: [3, 4], apply: (x) => unsqueeze(x, 1) },
  { name: 'split piece', shape: [4, 6], apply: (x, s) => split(x, [1, 3, 2], 1).map((p, i) => (i === 1 ? p : s.keep(p)))[1]! },
  { name: 'stack', shape: [3, 4], apply: (x) => stack([x, x], 1) },
  {
    name: 'chain: transpose, slice, expand',
    shape: [4, 6],
    apply: (x, s) => {
      const t = s.keep(transpose(x));
      const sl = s.keep(slice(t, [1, 2], [2, 4]));
      return expand(sl, [3, 1, 2]);
    },
  },
];

// Exact values every dtype must survive an upload and a read with.
const ROUND_TRIP: Record<DType, readonly number[]> = {
  f32: [0, -0, 1, -1.5, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, Math.fround(0.1)],
  f64: [0, -0, 1, -1.5, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308, 5e-324, 0.1],
  i32: [0, 1, -1, 2147483647, -2147483648, 123456789],
  bool: [0, 1, 1, 0],
};

function expectIdentical(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  if (got.length !== want.length) throw new CloseAssertionError(`${label}: read ${got.length} elements, expected ${want.length}.`);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i])))
      throw new CloseAssertionError(`${label}: element ${i} read back as ${got[i]}, uploaded ${want[i]}.`);
}

const viewAndReadCases: ConformanceCase[] = [
  {
    group: 'views',
    title: 'view ops (reshape, permute, slice, narrow, select, expand, split, stack) read and copy',
    dtypes: ALL,
    async run(h, d) {
      for (const { name, shape, apply } of VIEWS)
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, 'any', layout);
          if (!x) continue;
          await h.check(name, [x], (s) => apply(s.xs[0]!, s));
          await h.check(`copy of ${name}`, [x], (s) => copy(s.keep(apply(s.xs[0]!, s))));
        }
    },
  },
  {
    group: 'upload/read',
    title: 'upload then read returns the same bits (extremes, -0, subnormals)',
    dtypes: ALL,
    async run(h, d) {
      const cases = [ROUND_TRIP[d], [...h.rng.normalArray(1031)].map((v) => (d === 'bool' ? (v > 0 ? 1 : 0) : d === 'i32' ? Math.round(v * 1000) : v)), []];
      for (const values of cases) {
        const data = typed(d, values);
        const want = Array.from(data);
        const t = tensor(h.be, data, [data.length], d);
        try {
          const got = await t.read();
          expectIdentical(`read ${d} [${data.length}]`, got, want);
          if (h.be.capabilities.syncRead) expectIdentical(`readSync ${d} [${data.length}]`, t.readSync(), want);
          // Into a caller's array: written there, returned, and the same bits.
          const into = typed(d, values.map(() => 1));
          if ((await t.read(into)) !== into) throw new Error(`read(into) ${d} [${data.length}]: did not return the target array`);
          expectIdentical(`read(into) ${d} [${data.length}]`, into, want);
          if (h.be.capabilities.syncRead) {
            into.fill(1);
            if (t.readSync(into) !== into) throw new Error(`readSync(into) ${d} [${data.length}]: did not return the target array`);
            expectIdentical(`readSync(into) ${d} [${data.length}]`, into, want);
          }
        } finally {
          t.dispose();
        }
      }
    },
  },
  {
    group: 'upload/read',
    title: 'backend.read of handcrafted views gathers exactly the viewed elements',
    dtypes: ALL,
    async run(h, d) {
      for (const shape of KERNEL_SHAPES)
        for (const layout of LAYOUTS) {
          const x = h.operand(shape, d, 'any', layout);
          if (!x) continue;
          const handles: object[] = [];
          try {
            const v = operandView(h.be, x, handles);
            const want = Array.from(typed(d, x.values));
            expectIdentical(`read of ${describeOperand(x)}`, await h.be.read(v), want);
            if (h.be.readSync) expectIdentical(`readSync of ${describeOperand(x)}`, h.be.readSync(v), want);
            // A backend may write into the target or return a fresh array; either way the values are the view's.
            const into = typed(d, x.values.map(() => 1));
            expectIdentical(`read of ${describeOperand(x)} into a target`, await h.be.read(v, into), want);
            if (h.be.readSync) expectIdentical(`readSync of ${describeOperand(x)} into a target`, h.be.readSync(v, typed(d, x.values.map(() => 1))), want);
          } finally {
            for (const hd of handles) h.be.free(hd);
          }
        }
    },
  },
];

// ---------------------------------------------------------------- NaN and ±Inf

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5];

const specialCases: ConformanceCase[] = [
  {
    group: 'NaN/Inf',
    title: 'unary ops on NaN, ±Inf, ±0',
    dtypes: FLOATS,
    ieee: true,
    async run(h, d) {
      for (const { op } of UNARY) {
        const x = fixedOperand([SPECIAL.length], d, SPECIAL);
        await h.check(`${op} of specials`, [x], (s) => unary(op, s.xs[0]!));
      }
    },
  },
  {
    group: 'NaN/Inf',
    title: 'binary ops on every pair of NaN, ±Inf, ±0, ±1',
    dtypes: FLOATS,
    ieee: true,
    async run(h, d) {
      const a = fixedOperand([SPECIAL.length, 1], d, SPECIAL);
      const b = fixedOperand([1, SPECIAL.length], d, SPECIAL);
      for (const { op } of BINARY) await h.check(`${op} of specials`, [a, b], (s) => binary(op, s.xs[0]!, s.xs[1]!));
    },
  },
  {
    group: 'NaN/Inf',
    title: 'where, reductions, matmul, cast, fill, copy and concat keep NaN and ±Inf',
    dtypes: FLOATS,
    ieee: true,
    async run(h, d) {
      const cond = fixedOperand([4], 'bool', [1, 0, 1, 0]);
      await h.check('where', [cond, fixedOperand([4], d, [NaN, NaN, Infinity, -Infinity]), fixedOperand([4], d, [1, Infinity, NaN, 2])], (s) =>
        where(s.xs[0]!, s.xs[1]!, s.xs[2]!),
      );
      const rows = fixedOperand([5, 3], d, [1, NaN, 2, Infinity, 1, 2, -Infinity, Infinity, 0, -Infinity, -Infinity, -Infinity, NaN, Infinity, -Infinity]);
      for (const op of ['sum', 'max', 'min'] as const)
        for (const axes of [[1], [0], [0, 1]]) await h.check(`${op} ${fmtShape(axes)} of specials`, [rows], (s) => reduce(op, s.xs[0]!, axes));
      const a = fixedOperand([3, 2], d, [Infinity, 1, NaN, 0, 1, 1]);
      const b = fixedOperand([2, 2], d, [1, 0, 1, 1]);
      await h.check('matmul of specials', [a, b], (s) => matmul(s.xs[0]!, s.xs[1]!));
      const x = fixedOperand([6], d, [NaN, Infinity, -Infinity, 0, -0, 1e-30]);
      for (const to of ALL) if (to !== 'i32' && h.supports(to)) await h.check(`cast ${d} -> ${to} of specials`, [x], (s) => cast(s.xs[0]!, s.dt(to)));
      for (const value of [NaN, Infinity, -Infinity]) await h.check(`full ${value}`, [], (s) => full(s.be, [5], value, s.dt(d)));
      await h.check('copy of specials', [x], (s) => copy(s.xs[0]!));
      await h.check('concat of specials', [x, x], (s) => concat(s.xs, 0));
      await h.check('add of specials', [x, x], (s) => add(s.xs[0]!, s.xs[1]!));
    },
  },
];

/** Every generated case, grouped as the suite prints them. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...whereCases,
  ...reduceCases,
  ...matmulCases,
  ...dataMovementCases,
  ...indexingCases,
  ...viewAndReadCases,
  ...specialCases,
  ...fusedCases,
  ...crossEntropyCases,
  ...matmulBiasCases,
];

