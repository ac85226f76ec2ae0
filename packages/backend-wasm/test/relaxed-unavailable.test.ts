import { describe, expect, it } from 'vitest';
import { createWasmBackend, detectSimd } from '../src/index.js';

// This file sets no V8 flag: on Node 20 relaxed SIMD is then unavailable and insisting on it throws.
describe("simd: 'relaxed' where the runtime lacks it", () => {
  it.runIf(detectSimd() !== 'relaxed')('throws a sentence that names the fix', () => {
    expect(() => createWasmBackend({ simd: 'relaxed' })).toThrow(/does not support WebAssembly relaxed SIMD.*simd: 'auto'/);
  });
});
