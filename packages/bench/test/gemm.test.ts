// The GEMM-ceiling rows: shapes consistent with the workload's FLOP formula, and the line shapes.
// No timing assertions.
import { describe, expect, it } from 'vitest';
import { gemmShapes, runGemm, type GemmCeilingLine, type GemmLine } from '../src/gemm.js';
import { flopsPerBatch, workloadById, type Workload } from '../src/workloads.js';

const flops = (w: Workload, mode: 'train' | 'infer') => gemmShapes(w).reduce((n, s) => n + 2 * s.M * s.K * s.N * s.perBatch[mode], 0);

describe('gemm ceiling', () => {
  it('covers the forward FLOPs of the formula, and the train FLOPs less the input gradient', () => {
    for (const id of ['lstm-h256', 'gru-h256', 'rnn-h256', 'lstm-h256-small']) {
      const w = workloadById(id);
      expect(flops(w, 'infer')).toBe(flopsPerBatch(w, 'infer'));
      const G = w.cell === 'lstm' ? 4 : w.cell === 'gru' ? 3 : 1;
      expect(flops(w, 'train')).toBe(flopsPerBatch(w, 'train') - 2 * w.T * w.B * w.I * G * w.H);
    }
    const lstm = gemmShapes(workloadById('lstm-h256'));
    expect(lstm.map((s) => [s.M, s.K, s.N])).toContainEqual([32, 256, 1024]);
    expect(lstm.map((s) => [s.M, s.K, s.N])).toContainEqual([3200, 128, 1024]);
  });

  it('emits one gemm line per shape and one ceiling line per mode', () => {
    const tiny: Workload = { id: 'tiny-lstm', cell: 'lstm', I: 4, H: 8, B: 2, T: 3, V: 5, layers: 1 };
    const out: string[] = [];
    const n = runGemm({ workloads: [tiny], modes: ['train', 'infer'], backends: ['wasm-simd'], repeats: 1, minSeconds: 0, sink: (s) => out.push(s) });
    expect(n).toBe(out.length);
    const lines = out.map((s) => JSON.parse(s) as GemmLine | GemmCeilingLine);
    expect(lines.filter((l) => l.kind === 'gemm')).toHaveLength(gemmShapes(tiny).length);
    const ceilings = lines.filter((l): l is GemmCeilingLine => l.kind === 'gemm-ceiling');
    expect(ceilings.map((l) => l.mode)).toEqual(['train', 'infer']);
    for (const l of ceilings) expect(Number.isFinite(l.tokens_per_s) && l.tokens_per_s > 0).toBe(true);
  });
});
