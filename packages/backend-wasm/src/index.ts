export { createWasmBackend, createWasmBackendAsync, detectSimd } from './backend.js';
export type { SimdLevel, WasmBackend, WasmBackendOptions } from './backend.js';
export type { WasmHandle } from './handle.js';
export { benchmarkGemm } from './gemm-bench.js';
export type { GemmBenchmark, GemmBenchmarkOptions, GemmVariant } from './gemm-bench.js';
