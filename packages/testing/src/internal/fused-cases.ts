// Checks of the optional fused kernels that are not recurrent (those have the cell kit): each
// against the composite formula it replaces, run through the public ops on the reference backend.
import {
  add, arange, cast, div, eq, gather, logSumExp, matmul, mul, reshape, softmax, sqrt, sub, type AdamStepResult, type Backend, type DType, type Shape, type Tensor,
} from '@rnnkit/tensor';
import type { ConformanceCase } from './cases.js';
import { fixedOperand, LAYOUTS, layoutApplies, makeOperand, draw } from './operands.js';

const ADAM_SHAPES: readonly Shape[] = [[], [1], [7], [67], [257], [3, 130], [2, 3, 4]];
const [B1, B2, EPS, STEP] = [0.9, 0.999, 1e-8, 3];
const OUTPUTS: readonly (keyof AdamStepResult)[] = ['mu', 'nu', 'update'];

export const fusedCases: ConformanceCase[] = LAYOUTS.filter((l) => l !== 'expanded').map((layout) => ({
  group: 'fused: adamStep',
  title: `moments and direction, ${layout} views`,
  dtypes: ['f32', 'f64'] as DType[],
  requiresFused: 'adamStep',
  async run(h, dtype) {
    const bc1 = 1 - B1 ** STEP;
    const bc2Sqrt = Math.sqrt(1 - B2 ** STEP);
    for (const shape of ADAM_SHAPES) {
      const lay = layoutApplies(layout, shape) ? layout : 'contiguous';
      const g = makeOperand(shape, dtype, lay, (n) => draw(h.rng, n, dtype, 'any'));
      const m = makeOperand(shape, dtype, lay, (n) => draw(h.rng, n, dtype, 'any'));
      const v = makeOperand(shape, dtype, lay, (n) => draw(h.rng, n, dtype, 'positive'));
      const corrections = [fixedOperand([], dtype, [bc1]), fixedOperand([], dtype, [bc2Sqrt])];
      for (const which of OUTPUTS) {
        await h.checkKernel(
          `fused.adamStep → ${which}`,
          [g, m, v, ...corrections],
          (_, [gv, mv, vv, c1, c2]) => {
            const r = h.be.fused!.adamStep!({ grad: gv!, mu: mv!, nu: vv!, bc1: c1!, bc2Sqrt: c2!, beta1: B1, beta2: B2, eps: EPS });
            for (const k of OUTPUTS) if (k !== which) h.be.free(r[k]);
            return r[which];
          },
          { shape, dtype },
          (s) => {
            const [gs, ms, vs, c1, c2] = s.xs as [never, never, never, never, never];
            const mu = s.keep(add(mul(ms, B1), mul(gs, 1 - B1)));
            const nu = s.keep(add(mul(vs, B2), mul(s.keep(mul(gs, gs)), 1 - B2)));
            if (which === 'mu') return mu;
            if (which === 'nu') return nu;
            return div(s.keep(div(mu, c1)), s.keep(add(s.keep(div(s.keep(sqrt(nu)), c2)), EPS)));
          },
        );
      }
    }
  },
}));

// Rows × classes: one row, a tile's worth, past a tile, many narrow rows, one wide row.
const CE_SHAPES: readonly (readonly [number, number])[] = [[1, 1], [4, 8], [5, 13], [33, 3], [2, 130]];

/** Reference pieces on the reference backend: the target logit of each row, and the one-hot [N, V]. */
function targetLogit(be: Backend, x: Tensor, t: Tensor, N: number, V: number, keep: <T extends Tensor>(t: T) => T): Tensor {
  const flat = keep(add(keep(mul(keep(arange(be, N)), V)), t));
  return gather(keep(reshape(x, [N * V])), flat);
}

function oneHot(be: Backend, t: Tensor, N: number, V: number, dtype: DType, keep: <T extends Tensor>(t: T) => T): Tensor {
  const classes = keep(reshape(keep(arange(be, V)), [1, V]));
  return cast(keep(eq(classes, keep(reshape(t, [N, 1])))), dtype);
}

export const crossEntropyCases: ConformanceCase[] = LAYOUTS.filter((l) => l !== 'expanded').map((layout) => ({
  group: 'fused: crossEntropy',
  title: `loss, logSumExp and the logits' gradient, ${layout} views`,
  dtypes: ['f32', 'f64'] as DType[],
  requiresFused: 'crossEntropy',
  async run(h, dtype) {
    if (!h.be.fused?.crossEntropyBackward) throw new Error(`${h.be.name} has crossEntropy but no crossEntropyBackward; offer both or neither.`);
    for (const [N, V] of CE_SHAPES) {
      const shape = [N, V];
      const lay = layoutApplies(layout, shape) ? layout : 'contiguous';
      const x = makeOperand(shape, dtype, lay, (n) => draw(h.rng, n, dtype, 'any'));
      const t = fixedOperand([N], 'i32', Array.from({ length: N }, (_, n) => (n * 7 + 3) % V));
      for (const which of ['loss', 'logSumExp'] as const) {
        await h.checkKernel(
          `fused.crossEntropy → ${which}`,
          [x, t],
          (_, [xv, tv]) => {
            const r = h.be.fused!.crossEntropy!({ logits: xv!, targets: tv! });
            h.be.free(which === 'loss' ? r.logSumExp : r.loss);
            return r[which];
          },
          { shape: [N], dtype },
          (s) => {
            const [xs, ts] = s.xs as [Tensor, Tensor];
            const lse = s.keep(logSumExp(xs, -1));
            return which === 'logSumExp' ? lse : sub(lse, s.keep(targetLogit(s.be, xs, ts, N, V, s.keep)));
          },
        );
      }
      const g = makeOperand([N], dtype, 'contiguous', (n) => draw(h.rng, n, dtype, 'any'));
      await h.checkKernel(
        'fused.crossEntropyBackward',
        [x, t, g],
        (_, [xv, tv, gv]) => {
          // logSumExp from the forward kernel itself, as callers pass it.
          const f = h.be.fused!.crossEntropy!({ logits: xv!, targets: tv! });
          h.be.free(f.loss);
          const lseView = { handle: f.logSumExp, dtype, shape: [N], strides: [1], offset: 0 };
          try {
            return h.be.fused!.crossEntropyBackward!({ logits: xv!, targets: tv!, grad: gv!, logSumExp: lseView });
          } finally {
            h.be.free(f.logSumExp);
          }
        },
        { shape: [N, V], dtype },
        (s) => {
          const [xs, ts, gs] = s.xs as [Tensor, Tensor, Tensor];
          const diff = s.keep(sub(s.keep(softmax(xs, -1)), s.keep(oneHot(s.be, ts, N, V, xs.dtype, s.keep))));
          return mul(diff, s.keep(reshape(gs, [N, 1])));
        },
      );
    }
  },
}));

// M × K × N: a single element, column tails (N not a multiple of 8, 12 or 16, the usual panel widths),
// row tails (M not a multiple of 2, 3 or 4, the usual tile heights), K of 1, whole panels, and a product
// wide enough for several panels and row blocks.
const MATMUL_BIAS_SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1], [3, 5, 13], [7, 1, 9], [2, 7, 12], [4, 3, 16], [68, 9, 24], [70, 33, 17], [5, 64, 130],
];

export const matmulBiasCases: ConformanceCase[] = LAYOUTS.filter((l) => l !== 'expanded').map((layout) => ({
  group: 'fused: matmulBias',
  title: `a·b + bias against matmul then add, ${layout} views`,
  dtypes: ['f32', 'f64'] as DType[],
  requiresFused: 'matmulBias',
  async run(h, dtype) {
    for (const [M, K, N] of MATMUL_BIAS_SHAPES) {
      const operand = (shape: Shape) => makeOperand(shape, dtype, layoutApplies(layout, shape) ? layout : 'contiguous', (n) => draw(h.rng, n, dtype, 'any'));
      await h.checkKernel(
        'fused.matmulBias',
        [operand([M, K]), operand([K, N]), operand([N])],
        (_, [a, b, bias]) => h.be.fused!.matmulBias!({ a: a!, b: b!, bias: bias! }),
        { shape: [M, N], dtype },
        (s) => {
          const [a, b, bias] = s.xs as [Tensor, Tensor, Tensor];
          return add(s.keep(matmul(a, b)), bias);
        },
      );
    }
  },
}));
