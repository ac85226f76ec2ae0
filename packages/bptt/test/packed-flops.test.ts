import { describe, expect, it } from 'vitest';
import { createRng, normal, sum, treeDispose, type Backend, type View } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm } from '@rnnkit/cells';
import { scan } from '../src/index.js';

// Counts multiply-adds of every matmul kernel call: 2·batch·M·K·N FLOPs.
function countingMatmul(inner: Backend): { backend: Backend; flops: () => number } {
  let flops = 0;
  const size = (v: View) => v.shape.reduce((a, b) => a * b, 1);
  const backend: Backend = {
    ...inner,
    fused: undefined,
    kernels: {
      ...inner.kernels,
      matmul(a, b) {
        const n = b.shape[b.shape.length - 1]!;
        flops += 2 * size(a) * n;
        return inner.kernels.matmul(a, b);
      },
    },
  };
  return { backend, flops: () => flops };
}

describe('packed sequences skip finished rows', () => {
  for (const [name, make] of [['lstm', () => lstm({ inputSize: 6, hiddenSize: 8 })], ['gru', () => gru({ inputSize: 6, hiddenSize: 8 })]] as const) {
    it(`${name}: packed matmul FLOPs ≤ (Σ lengths)/(B·T) × masked FLOPs + 5 %`, () => {
      const T = 20;
      const lengths = [20, 3, 11, 1, 7, 15];
      const B = lengths.length;
      const cell = make();
      const counted = countingMatmul(createCpuBackend());
      const rng = createRng(4);
      const params = cell.init(rng, counted.backend);
      const xs = normal(rng, counted.backend, [T, B, 6]);
      const flopsOf = (packed: boolean) => {
        const before = counted.flops();
        const { ys, state } = scan(cell, params, xs, { lengths, packed, fused: false });
        const s = sum(ys);
        for (const t of [ys, s, ...Object.values(state)]) t.dispose();
        return counted.flops() - before;
      };
      const masked = flopsOf(false);
      const packed = flopsOf(true);
      const fraction = lengths.reduce((a, b) => a + b, 0) / (B * T);
      expect(packed).toBeLessThanOrEqual(fraction * masked * 1.05);
      expect(packed).toBeGreaterThan(0);
      treeDispose(params);
      xs.dispose();
    });
  }
});
