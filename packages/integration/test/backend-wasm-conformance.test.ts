// The backend conformance suite on the fast CPU backend, against the reference backend: the
// WebAssembly build this runtime picks, and the JS fallback forced with simd: 'none'.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { describeBackendConformance } from '@rnnkit/testing';

describeBackendConformance({ name: 'backend-wasm (simd: auto)', create: () => createWasmBackend(), reference: () => createCpuBackend() });
describeBackendConformance({ name: 'backend-wasm (simd: none, JS fallback)', create: () => createWasmBackend({ simd: 'none' }), reference: () => createCpuBackend() });
describeBackendConformance({
  name: 'backend-wasm (f32 only)',
  create: () => createWasmBackend({ dtypes: ['f32'] }),
  reference: () => createCpuBackend(),
});
