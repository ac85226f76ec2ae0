export { createWebGpuBackend } from './backend.js';
export type { WebGpuBackend, WebGpuBackendOptions, WebGpuStats } from './backend.js';
export type { WebGpuHandle } from './internal/handle.js';
export type { MatmulVariant } from './kernels/matmul.js';
