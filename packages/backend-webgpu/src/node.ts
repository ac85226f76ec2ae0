import { RnnkitError } from '@rnnkit/tensor';
import { createWebGpuBackend, type WebGpuBackend, type WebGpuBackendOptions } from './backend.js';

/**
 * Node entry: WebGPU through the `webgpu` npm package (Dawn). Import it as
 * `@rnnkit/backend-webgpu/node`; the main entry never loads Dawn, so browser bundles stay free of it.
 */

// Dawn's GPU object must stay referenced for as long as any device made from it lives: when only
// a device escaped, a GC of the GPU object aborted the process. Module scope keeps it alive.
let gpu: GPU | undefined;

const INSTALL_HINT =
  'In Node, WebGPU needs the `webgpu` package (npm install webgpu) and a Vulkan driver Dawn accepts: on Debian/Ubuntu ' +
  '`apt-get install chromium libvulkan1` and VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader, a ' +
  'software adapter), or a GPU driver. Set the variable before the process starts (or before the first call here, ' +
  'in the main thread).';

/** The Dawn `GPU` object (navigator.gpu's equivalent), created once and kept alive. Also installs the WebGPU globals (GPUBufferUsage, ...) where missing. */
export async function nodeGpu(flags: readonly string[] = []): Promise<GPU> {
  if (gpu !== undefined) return gpu;
  let mod: { create(options: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu'));
  } catch (e) {
    throw new RnnkitError(`nodeGpu: could not load the \`webgpu\` package (${(e as Error).message}). ${INSTALL_HINT}`);
  }
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in g)) g[k] = v;
  gpu = mod.create([...flags]);
  return gpu;
}

/** An adapter from Dawn, or null when none exists. */
export async function requestNodeAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null> {
  return (await nodeGpu()).requestAdapter(options);
}

/**
 * createWebGpuBackend for Node: loads Dawn, finds an adapter, and fails with what to install when
 * there is none.
 */
export async function createNodeWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  if (options.device !== undefined || options.adapter !== undefined) {
    await nodeGpu();
    return createWebGpuBackend(options);
  }
  const adapter = await requestNodeAdapter();
  if (adapter === null) throw new RnnkitError(`createNodeWebGpuBackend: Dawn found no WebGPU adapter. ${INSTALL_HINT}`);
  return createWebGpuBackend({ ...options, adapter });
}

export { createWebGpuBackend };
export type { WebGpuBackend, WebGpuBackendOptions };
