// The backend conformance suite on the fast CPU backend, against the reference backend: both
// WebAssembly builds (plain SIMD, and relaxed SIMD where the runtime validates it: its GEMM has
// another tile shape), the JS fallback forced with simd: 'none', and two threads (the shared-memory
// build, GEMMs split between a worker and the caller).
import { setFlagsFromString } from 'node:v8';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend, detectSimd } from '@rnnkit/backend-wasm';
import { describeBackendConformance } from '@rnnkit/testing';

// Test-only: Node 20 (V8 11.3) validates relaxed-SIMD modules only behind this flag (Node ≥ 22 has
// them on). The library never sets flags.
setFlagsFromString('--experimental-wasm-relaxed-simd');

describeBackendConformance({ name: 'backend-wasm (simd: simd)', create: () => createWasmBackend({ simd: 'simd' }), reference: () => createCpuBackend() });
if (detectSimd() === 'relaxed') {
  describeBackendConformance({ name: 'backend-wasm (simd: relaxed)', create: () => createWasmBackend({ simd: 'relaxed' }), reference: () => createCpuBackend() });
}
describeBackendConformance({ name: 'backend-wasm (simd: none, JS fallback)', create: () => createWasmBackend({ simd: 'none' }), reference: () => createCpuBackend() });
describeBackendConformance({
  name: 'backend-wasm (f32 only)',
  create: () => createWasmBackend({ dtypes: ['f32'] }),
  reference: () => createCpuBackend(),
});
// Two threads: the shared-memory build, and GEMMs split by column panels between a worker and the caller.
describeBackendConformance({
  name: 'backend-wasm (threads: 2)',
  create: () => createWasmBackend({ threads: 2 }),
  reference: () => createCpuBackend(),
  destroy: (be) => (be as ReturnType<typeof createWasmBackend>).close(),
});
