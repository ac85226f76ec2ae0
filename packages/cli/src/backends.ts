import type { Backend } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { CliError } from './cli-error.js';

export type BackendName = 'wasm' | 'cpu' | 'webgpu';

/**
 * The backend for a run: the fast WebAssembly CPU backend by default, the readable reference on
 * request, WebGPU only on a hardware (non-fallback) adapter.
 */
export async function openBackend(name: BackendName): Promise<{ backend: Backend; description: string }> {
  if (name === 'cpu') return { backend: createCpuBackend(), description: 'cpu (reference)' };
  if (name === 'wasm') {
    const wasm = (await import('@rnnkit/backend-wasm')) as Record<string, unknown>;
    const create = wasm['createWasmBackend'] as ((o?: unknown) => Backend) | undefined;
    if (!create) return { backend: createCpuBackend(), description: 'cpu (reference; the wasm backend is not available)' };
    const backend = create();
    return { backend, description: backend.name };
  }
  return openWebGpu();
}

async function openWebGpu(): Promise<{ backend: Backend; description: string }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('@rnnkit/backend-webgpu/node'));
  } catch (e) {
    throw new CliError(`--backend webgpu: @rnnkit/backend-webgpu (and its optional peer 'webgpu') could not be loaded: ${(e as Error).message.split('\n')[0]}`);
  }
  const create = mod['createNodeWebGpuBackend'] ?? mod['createWebGpuBackend'];
  if (typeof create !== 'function') throw new CliError('--backend webgpu: @rnnkit/backend-webgpu/node has no backend factory.');
  const backend = await (create as () => Promise<Backend & { adapterInfo?: { isFallbackAdapter?: boolean; description?: string } }>)();
  const info = backend.adapterInfo;
  // Asked for explicitly, a software adapter still runs; it is just slow, so say so.
  if (info?.isFallbackAdapter) process.stderr.write('rnnkit: note: the WebGPU adapter is a software (fallback) one; expect it to be slower than --backend wasm.\n');
  return { backend, description: `webgpu (${info?.description ?? 'adapter'}${info?.isFallbackAdapter ? ', software' : ''})` };
}
