// One Dawn GPU object for the whole run, shared by rnnkit's WebGPU backend and tfjs-webgpu, so both
// get their adapters (and devices) from the same instance: "the same adapter" of BENCHMARKS.md.
// It is @rnnkit/backend-webgpu/node's nodeGpu() (which keeps it referenced in module scope: a GC of
// Dawn's GPU object while a device lives aborts the process); tfjs finds it as navigator.gpu, which
// keeps a second reference. Also counts compute dispatches of every device made from it, by wrapping
// GPUComputePassEncoder.prototype.dispatchWorkgroups (tfjs has no dispatch counter of its own).
import { note } from './report.js';

export interface SharedGpu {
  readonly gpu: GPU;
  /** An adapter for rnnkit's backend (requested once; tfjs requests its own from the same GPU). */
  readonly adapter: GPUAdapter;
  /** vendor architecture device description, with " [software]" appended for software adapters. */
  readonly description: string;
  readonly software: boolean;
}

let shared: Promise<SharedGpu | null> | undefined;
let dispatches = 0;

/** Compute dispatches recorded by any device of the shared GPU so far (a monotonic counter). */
export function gpuDispatchCount(): number {
  return dispatches;
}

function countDispatches(): void {
  const Encoder = (globalThis as Record<string, unknown>).GPUComputePassEncoder as { prototype: Record<string, unknown> } | undefined;
  const proto = Encoder?.prototype;
  if (!proto) return note('webgpu: no GPUComputePassEncoder global; dispatches are not counted for peers.');
  for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      dispatches++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  const software = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software/i.test(text);
  return software ? `${text} [software]` : text;
}

async function open(): Promise<SharedGpu | null> {
  try {
    const spec = '@rnnkit/backend-webgpu/node';
    const mod = (await import(spec)) as { nodeGpu?: () => Promise<GPU> };
    let gpu: GPU;
    if (typeof mod.nodeGpu === 'function') gpu = await mod.nodeGpu();
    else {
      // An older backend without nodeGpu: load Dawn here.
      const dawn = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU; globals: object };
      const g = globalThis as Record<string, unknown>;
      for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
      gpu = dawn.create([]);
    }
    // tfjs-backend-webgpu looks for navigator.gpu (Node 20 has no navigator; Node 21+ has one without gpu).
    const g = globalThis as { navigator?: { gpu?: GPU } };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    countDispatches();
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      note(`webgpu: Dawn found no adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})`);
      return null;
    }
    const description = describeAdapter(adapter);
    return { gpu, adapter, description, software: description.endsWith('[software]') };
  } catch (e) {
    note(`webgpu: no adapter (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

/** The run's shared GPU and adapter, or null (with a note) when there is none. */
export function sharedGpu(): Promise<SharedGpu | null> {
  shared ??= open();
  return shared;
}
