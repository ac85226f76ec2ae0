import type { Backend } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { availableParallelism } from 'node:os';
import { CliError } from './cli-error.js';

export type BackendName = 'wasm' | 'cpu' | 'webgpu';

/** Threads for the wasm backend's GEMMs: a count, or 'auto' (every core where worker threads work, else 1). */
export type Threads = number | 'auto';

/**
 * The backend for a run: the fast WebAssembly CPU backend by default (its GEMMs on `threads`
 * threads), the readable reference on request, WebGPU only on a hardware (non-fallback) adapter.
 */
export async function openBackend(name: BackendName, threads: Threads = 1): Promise<{ backend: Backend; description: string }> {
  if (name === 'cpu') return { backend: createCpuBackend(), description: 'cpu (reference)' };
  if (name === 'wasm') {
    const wasm = (await import('@rnnkit/backend-wasm')) as Record<string, unknown>;
    const create = wasm['createWasmBackend'] as ((o?: { threads?: number }) => Backend & { threads?: number }) | undefined;
    if (!create) return { backend: createCpuBackend(), description: 'cpu (reference; the wasm backend is not available)' };
    const backend = openWasm(create, threads);
    const n = backend.threads ?? 1;
    return { backend, description: n > 1 ? `${backend.name} (${n} threads)` : backend.name };
  }
  return openWebGpu();
}

function openWasm<B extends Backend>(create: (o?: { threads?: number }) => B, threads: Threads): B {
  const n = threads === 'auto' ? availableParallelism() : threads;
  if (n === 1) return create();
  try {
    return create({ threads: n });
  } catch (e) {
    if (threads !== 'auto') throw new CliError(`--threads ${n}: ${(e as Error).message}`);
    // 'auto' asks for what works: one thread where worker threads do not.
    process.stderr.write(`rnnkit: note: running on one thread (${(e as Error).message})\n`);
    return create();
  }
}

/** --threads: an integer ≥ 1, or 'auto' (the default). */
export function threadsFlag(raw: string | undefined): Threads {
  if (raw === undefined || raw === 'auto') return 'auto';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--threads must be an integer ≥ 1 or 'auto', got '${raw}'.`);
  return n;
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
