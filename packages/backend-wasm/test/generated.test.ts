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
  it('import a shared memory whose maximum is the one the backend creates', async () => {
    const { SHARED_MAXIMUM_PAGES, wasmBytes } = await import('../src/internal/wasm.js');
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
    const module = new WebAssembly.Module(wasmBytes('simd-shared'));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    expect(typeof instance.exports['gemm']).toBe('function');
  });
});
