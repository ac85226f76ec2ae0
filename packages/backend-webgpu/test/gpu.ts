import { createNodeWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from '../src/node.js';

/**
 * The Node/Dawn backend for tests, or null (tests skip, saying why) when this machine has no
 * adapter. With CI=true a missing adapter is an error: CI must install what gives it one.
 */
export async function gpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend | null> {
  try {
    return await createNodeWebGpuBackend(options);
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    console.warn(`backend-webgpu tests skipped: ${(e as Error).message}`);
    return null;
  }
}
