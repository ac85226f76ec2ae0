import { setFlagsFromString } from 'node:v8';
import { hostCrossEntropy, hostCrossEntropyBackward, type DType, type View } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { createWasmBackend, detectSimd, type SimdLevel, type WasmHandle } from '../src/index.js';

// Test-only: lets Node 20 validate the relaxed-SIMD build too (the library never sets V8 flags).
setFlagsFromString('--experimental-wasm-relaxed-simd');

const LEVELS: SimdLevel[] = ['none', ...(['simd', 'relaxed'] as const).filter((l) => (l === 'simd' ? detectSimd() !== 'none' : detectSimd() === 'relaxed'))];

// The engine's cross-entropy (vectorised exp in WebAssembly) against the host reference, on a
// language-model-sized batch of rows with a class count past the vector width, so the operands
// span far more memory than the small conformance cases.
describe.each(LEVELS)('fused crossEntropy (simd: %s)', (level) => {
  const be = createWasmBackend({ simd: level });
  for (const dtype of ['f32', 'f64'] as const) {
    it(`${dtype}: loss, logSumExp and the gradient match the host reference`, () => {
      const [N, V] = [1031, 131];
      const xs = Array.from({ length: N * V }, (_, i) => Math.sin(i * 0.37) * 6 + Math.cos(i * 0.011) * 3);
      const ts = Array.from({ length: N }, (_, n) => (n * 37) % V);
      const gs = Array.from({ length: N }, (_, n) => Math.cos(n) / N);
      const view = (data: number[], shape: number[], d: DType): View<WasmHandle> => ({
        handle: be.upload(d === 'f64' ? Float64Array.from(data) : d === 'i32' ? Int32Array.from(data) : Float32Array.from(data), d),
        dtype: d, shape, strides: shape.length === 2 ? [shape[1]!, 1] : [1], offset: 0,
      });
      const args = { logits: view(xs, [N, V], dtype), targets: view(ts, [N], 'i32') };
      const host = (v: View<WasmHandle>) => ({ ...v, handle: { data: be.readSync!({ ...v, shape: [v.shape.reduce((a, b) => a * b, 1)], strides: [1] }) } });
      const want = hostCrossEntropy({ logits: host(args.logits), targets: host(args.targets) });
      const got = be.fused!.crossEntropy!(args);
      const read = (h: WasmHandle, n: number) => be.readSync!({ handle: h, dtype, shape: [n], strides: [1], offset: 0 });
      expectClose(read(got.loss, N), want.loss, dtype, 'loss');
      expectClose(read(got.logSumExp, N), want.logSumExp, dtype, 'logSumExp');
      const grad = view(gs, [N], dtype);
      const lse = { handle: got.logSumExp, dtype, shape: [N], strides: [1], offset: 0 };
      const dx = be.fused!.crossEntropyBackward!({ ...args, logSumExp: lse, grad });
      const wantDx = hostCrossEntropyBackward({ logits: host(args.logits), targets: host(args.targets), logSumExp: host(lse), grad: host(grad) });
      expectClose(read(dx, N * V), wantDx, dtype, 'd logits');
      for (const h of [got.loss, got.logSumExp, dx, args.logits.handle, args.targets.handle, grad.handle]) be.free(h);
      expect(be.stats().liveHandles).toBe(0);
    });
  }

  it('names an out-of-range target', () => {
    const logits: View<WasmHandle> = { handle: be.upload(new Float32Array(6), 'f32'), dtype: 'f32', shape: [2, 3], strides: [3, 1], offset: 0 };
    const targets: View<WasmHandle> = { handle: be.upload(Int32Array.from([1, 3]), 'i32'), dtype: 'i32', shape: [2], strides: [1], offset: 0 };
    expect(() => be.fused!.crossEntropy!({ logits, targets })).toThrow('crossEntropy: targets[1] is 3, outside the 3 classes [0, 3)');
    be.free(logits.handle);
    be.free(targets.handle);
  });
});
