// Checks of the optional fused kernels that are not recurrent (those have the cell kit): each
// against the composite formula it replaces, run through the public ops on the reference backend.
import { add, div, mul, sqrt, type AdamStepResult, type DType, type Shape } from '@rnnkit/tensor';
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
