export { createCpuBackend } from './backend.js';
export type { CpuBackendOptions } from './backend.js';
export type { CpuHandle } from './handle.js';
