import { setFlagsFromString } from 'node:v8';
import { hostAdamStep, type DType, type View } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createWasmBackend, detectSimd, type SimdLevel, type WasmHandle } from '../src/index.js';

// Test-only: lets Node 20 validate the relaxed-SIMD build too (the library never sets V8 flags).
setFlagsFromString('--experimental-wasm-relaxed-simd');

const LEVELS: SimdLevel[] = ['none', ...(['simd', 'relaxed'] as const).filter((l) => (l === 'simd' ? detectSimd() !== 'none' : detectSimd() === 'relaxed'))];

// The WebAssembly adamStep against hostAdamStep, which has the bits of the composite f32 ops: the
// kernel must round every product and sum on its own (no fused multiply-add, even with relaxed SIMD).
describe.each(LEVELS)('fused adamStep (simd: %s)', (level) => {
  const be = createWasmBackend({ simd: level });
  for (const dtype of ['f32', 'f64'] as const) {
    it(`${dtype}: the same bits as hostAdamStep, over 4-wide blocks and a tail`, () => {
      const n = 1027;
      const vals = (k: number, positive = false) => Array.from({ length: n }, (_, i) => {
        const x = Math.sin(i * 1.7 + k) * 10 ** ((i % 7) - 3);
        return positive ? Math.abs(x) : x;
      });
      const view = (data: number[], shape: number[], d: DType = dtype): View<WasmHandle> => ({
        handle: be.upload(d === 'f64' ? Float64Array.from(data) : Float32Array.from(data), d), dtype: d, shape, strides: shape.length ? [1] : [], offset: 0,
      });
      const args = {
        grad: view(vals(1), [n]), mu: view(vals(2), [n]), nu: view(vals(3, true), [n]),
        bc1: view([1 - 0.9 ** 3], []), bc2Sqrt: view([Math.sqrt(1 - 0.999 ** 3)], []), beta1: 0.9, beta2: 0.999, eps: 1e-8,
      };
      const got = be.fused!.adamStep!(args);
      const want = hostAdamStep(args);
      for (const k of ['mu', 'nu', 'update'] as const) {
        expect(be.readSync!({ handle: got[k], dtype, shape: [n], strides: [1], offset: 0 }), k).toEqual(want[k]);
        be.free(got[k]);
      }
      for (const v of [args.grad, args.mu, args.nu, args.bc1, args.bc2Sqrt]) be.free(v.handle);
      expect(be.stats().liveHandles).toBe(0);
    });
  }
});
