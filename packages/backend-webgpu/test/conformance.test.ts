import { createCpuBackend } from '@rnnkit/backend-cpu';
import { describeBackendConformance } from '@rnnkit/testing';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

describeBackendConformance({
  name: 'webgpu (Node, Dawn)',
  create: () => gpuBackend(),
  reference: () => createCpuBackend(),
  timeout: 300_000,
  destroy: (b) => (b as WebGpuBackend).destroy(),
});
