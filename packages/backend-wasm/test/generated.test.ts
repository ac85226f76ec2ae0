import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../scripts/build-wasm.mjs';

// src/generated/ is committed (so typecheck, lint and other packages' tests work in a fresh
// checkout); this proves it is what assembly/ compiles to today.
describe('generated WebAssembly modules', () => {
  it('src/generated/kernels-*.ts are up to date with assembly/ (run `node scripts/build-wasm.mjs --force`)', async () => {
    const want = await generate();
    expect(Object.keys(want).sort()).toEqual(['kernels-relaxed-shared.ts', 'kernels-relaxed.ts', 'kernels-simd-shared.ts', 'kernels-simd.ts']);
    for (const [file, text] of Object.entries(want)) {
      const have = readFileSync(new URL(`../src/generated/${file}`, import.meta.url), 'utf8');
      expect(have === text, `src/generated/${file} is stale`).toBe(true);
    }
  }, 60_000);
});

describe('shared-memory builds', () => {
  it('import a shared memory, which instantiateShared creates with the maximum they declare', async () => {
    const { instantiateShared, moduleSync } = await import('../src/internal/wasm.js');
    expect(WebAssembly.Module.imports(moduleSync('simd-shared'))).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const { ops, memory } = instantiateShared('simd');
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(typeof ops.gemm).toBe('function');
  });
});
