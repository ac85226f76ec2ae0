import { contiguousStrides, RnnkitError, sizeOf } from '@rnnkit/tensor';
import type { Backend, BackendStats, DType, Kernels, TypedArray, View } from '@rnnkit/tensor';
import { createFusedKernels } from './fused/index.js';
import { GpuContext, type Recorder } from './internal/context.js';
import { WebGpuHandle } from './internal/handle.js';
import { coalesce } from './internal/layout.js';
import { recordGather, recordScatterAdd } from './kernels/gather.js';
import { recordMap, type MapInput } from './kernels/map.js';
import { recordMatmul, type MatmulVariant } from './kernels/matmul.js';
import { recordReduce } from './kernels/reduce.js';

export interface WebGpuBackendOptions {
  /** A device to use (the backend then does not destroy it). */
  readonly device?: GPUDevice;
  /** An adapter to request the device from (ignored when `device` is given). */
  readonly adapter?: GPUAdapter;
  /** Where to find an adapter when neither is given (default `navigator.gpu`). */
  readonly gpu?: GPU;
  /** Matmul kernel: 'blocked' (registers), 'tiled' (shared memory) or 'auto' (default: tiled on hardware, blocked on software adapters). */
  readonly matmul?: MatmulVariant | 'auto';
  /**
   * Reduction kernel: 'tree' (a workgroup per output element, shared-memory tree), 'thread' (a
   * thread per output element) or 'auto' (default: tree for reductions of 512+ elements; on
   * software adapters only when there are at most 8 outputs). argmax always uses 'thread'.
   */
  readonly reduce?: 'auto' | 'tree' | 'thread';
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  readonly poolBytes?: number;
  /** Caps the storage binding size below the adapter's, e.g. to exercise chunking in tests. */
  readonly maxBindingBytes?: number;
  /** Error scopes around every operation; failures are reported by the next call, naming the operation. */
  readonly debug?: boolean;
}

/** Counters beyond BackendStats, for benchmarks and tests. */
export interface WebGpuStats extends BackendStats {
  readonly dispatches: number;
  readonly submits: number;
  readonly pipelines: number;
}

export interface WebGpuBackend extends Backend<WebGpuHandle> {
  readonly device: GPUDevice;
  /** What the adapter says it is (vendor, architecture, description), when known. */
  readonly adapterInfo: { readonly vendor: string; readonly architecture: string; readonly description: string; readonly isFallbackAdapter: boolean };
  readonly matmulVariant: MatmulVariant;
  gpuStats(): WebGpuStats;
  /** Waits until every submitted command has run. */
  sync(): Promise<void>;
  /** Frees pooled buffers and, when the backend created the device, destroys it. */
  destroy(): void;
}

const DTYPES: readonly DType[] = ['f32', 'i32', 'bool'];

function noAdapterMessage(): string {
  return (
    'createWebGpuBackend: no WebGPU adapter is available. In a browser, WebGPU must be enabled (Chrome/Edge 113+, ' +
    'or Chromium with --enable-unsafe-webgpu where it is off). In Node, import createNodeWebGpuBackend from ' +
    "'@rnnkit/backend-webgpu/node' (it loads the `webgpu` package) and install a Vulkan driver, e.g. " +
    '`apt-get install chromium libvulkan1` with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.'
  );
}

function isSoftware(info: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean }): boolean {
  return info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp|software|cpu/i.test(`${info.vendor} ${info.architecture} ${info.description}`);
}

/** Converts host data to the 4-byte storage words of `dtype`. */
function toWords(data: TypedArray, dtype: DType): Uint32Array | Float32Array | Int32Array {
  if (dtype === 'f32') return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  if (dtype === 'i32') return data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>, (v) => (Number.isFinite(v) ? Math.trunc(v) | 0 : 0));
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0;
  return out;
}

/**
 * A WebGPU backend: every primitive kernel in WGSL for f32, i32 and bool (stored as u32), plus
 * whole-sequence RNN/LSTM/GRU kernels that keep the recurrence on the GPU. f64 is refused.
 * Reads are asynchronous (mapAsync); there is no readSync.
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  let device = options.device;
  let adapter = options.adapter;
  const ownDevice = device === undefined;
  if (device === undefined) {
    if (adapter === undefined) {
      const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
      if (gpu === undefined) throw new RnnkitError(noAdapterMessage());
      adapter = (await gpu.requestAdapter()) ?? undefined;
      if (adapter === undefined) throw new RnnkitError(noAdapterMessage());
    }
    // Ask for the adapter's own limits where they exceed the defaults (bigger bindings, workgroups).
    const l = adapter.limits;
    const requiredLimits: Record<string, number> = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    };
    device = await adapter.requestDevice({ requiredLimits });
  }
  const raw = adapter?.info ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const adapterInfo = {
    vendor: raw?.vendor ?? '',
    architecture: raw?.architecture ?? '',
    description: raw?.description ?? '',
    isFallbackAdapter: (raw as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter ?? false,
  };
  const matmulVariant: MatmulVariant = options.matmul === undefined || options.matmul === 'auto' ? (isSoftware(adapterInfo) ? 'blocked' : 'tiled') : options.matmul;
  const ctx = new GpuContext(device, {
    ...(options.poolBytes === undefined ? {} : { poolBytes: options.poolBytes }),
    ...(options.maxBindingBytes === undefined ? {} : { maxBindingBytes: options.maxBindingBytes }),
    ...(options.debug === undefined ? {} : { debug: options.debug }),
    software: isSoftware(adapterInfo),
    ...(options.reduce === undefined ? {} : { reduce: options.reduce }),
  });

  /** Refuses freed or foreign handles and dtypes this backend does not compute in. */
  const check = (op: string, ...views: readonly View[]): void => {
    ctx.check(op);
    for (const v of views) {
      if (!(v.handle instanceof WebGpuHandle)) throw new RnnkitError(`${op}: a tensor from another backend was passed to the WebGPU backend; move it with toBackend() first.`);
      if (v.handle.freed) throw new RnnkitError(`${op}: an input's handle was already freed; keep tensors alive until every op that reads them has run.`);
      requireDtype(op, v.dtype);
    }
  };
  const requireDtype = (op: string, dtype: DType): void => {
    if (!DTYPES.includes(dtype)) {
      throw new RnnkitError(`${op}: dtype ${dtype} is not supported by the WebGPU backend (WGSL has no f64); it offers ${DTYPES.join(', ')}. Cast to f32 first.`);
    }
  };
  const input = (v: View<WebGpuHandle>): MapInput => ({ handle: v.handle, dtype: v.dtype, layout: { offset: v.offset, strides: v.strides } });
  const contiguousOut = (shape: readonly number[], h: WebGpuHandle, offset = 0) => ({ handle: h, layout: { offset, strides: contiguousStrides(shape) } });

  const map = (op: string, kind: Parameters<typeof recordMap>[3], shape: readonly number[], inputs: readonly View<WebGpuHandle>[], constant = 0): WebGpuHandle => {
    const out = ctx.alloc(op, sizeOf(shape));
    try {
      ctx.submit(op, (rec) => recordMap(ctx, rec, op, kind, shape, contiguousOut(shape, out), inputs.map(input), constant));
    } catch (e) {
      ctx.free(out);
      throw e;
    }
    return out;
  };

  /** Runs `record` on a fresh handle of `length`, freeing it if recording throws. */
  const produce = (op: string, length: number, record: (rec: Recorder, out: WebGpuHandle) => void): WebGpuHandle => {
    const out = ctx.alloc(op, length);
    try {
      ctx.submit(op, (rec) => record(rec, out));
    } catch (e) {
      ctx.free(out);
      throw e;
    }
    return out;
  };

  const kernels: Kernels<WebGpuHandle> = {
    unary: (op, x) => (check(op, x), map(op, { kind: 'unary', op }, x.shape, [x])),
    binary: (op, a, b) => (check(op, a, b), map(op, { kind: 'binary', op }, a.shape, [a, b])),
    where: (cond, a, b) => (check('where', cond, a, b), map('where', { kind: 'where' }, cond.shape, [cond, a, b])),
    reduce(op, x, axes) {
      check(op, x);
      const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return produce(op, sizeOf(shape), (rec, out) => recordReduce(ctx, rec, op, x, axes, out));
    },
    matmul(a, b) {
      check('matmul', a, b);
      if (a.dtype !== 'f32') throw new RnnkitError(`matmul: dtype ${a.dtype} is not a float dtype; the WebGPU backend multiplies f32 only.`);
      const rank = a.shape.length;
      const shape = [...a.shape.slice(0, rank - 1), b.shape[rank - 1]!];
      return produce('matmul', sizeOf(shape), (rec, out) => {
        const K = a.shape[rank - 1]!;
        if (K === 0) rec.clear(out.buffer, 0, sizeOf(shape) * 4);
        else recordMatmul(ctx, rec, matmulVariant, a, b, { handle: out, offset: 0 });
      });
    },
    copy: (x) => (check('copy', x), map('copy', { kind: 'copy' }, x.shape, [x])),
    concat(xs, axis) {
      check('concat', ...xs);
      const first = xs[0]!;
      const shape = [...first.shape];
      shape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
      const strides = contiguousStrides(shape);
      return produce('concat', sizeOf(shape), (rec, out) => {
        let start = 0;
        for (const x of xs) {
          recordMap(ctx, rec, 'concat', { kind: 'copy' }, x.shape, { handle: out, layout: { offset: start * strides[axis]!, strides } }, [input(x)]);
          start += x.shape[axis]!;
        }
      });
    },
    cast: (x, dtype) => (check('cast', x), requireDtype('cast', dtype), map('cast', { kind: 'cast', to: dtype }, x.shape, [x])),
    fill(shape, dtype, value) {
      requireDtype('fill', dtype);
      const word = new Uint32Array(toWords(dtype === 'f32' ? Float32Array.of(value) : Float64Array.of(value), dtype).buffer)[0]!;
      return produce('fill', sizeOf(shape), (rec, out) => {
        if (word === 0) rec.clear(out.buffer, 0, sizeOf(shape) * 4);
        else recordMap(ctx, rec, 'fill', { kind: 'fill' }, shape, contiguousOut(shape, out), [], word);
      });
    },
    gather(table, indices, axis) {
      check('gather', table, indices);
      const shape = [...table.shape.slice(0, axis), ...indices.shape, ...table.shape.slice(axis + 1)];
      return produce('gather', sizeOf(shape), (rec, out) => recordGather(ctx, rec, table, indices, axis, out));
    },
    scatterAdd(shape, indices, updates, axis) {
      check('scatterAdd', indices, updates);
      return produce('scatterAdd', sizeOf(shape), (rec, out) => recordScatterAdd(ctx, rec, shape, indices, updates, axis, out));
    },
  };

  const read = async (x: View<WebGpuHandle>): Promise<TypedArray> => {
    check('read', x);
    const n = sizeOf(x.shape);
    const convert = (words: ArrayBuffer): TypedArray => {
      if (x.dtype === 'f32') return new Float32Array(words);
      if (x.dtype === 'i32') return new Int32Array(words);
      return Uint8Array.from(new Uint32Array(words));
    };
    if (n === 0) return convert(new ArrayBuffer(0));
    const c = coalesce(x.shape, [{ offset: x.offset, strides: x.strides }]);
    const direct = c.shape.length <= 1 && (c.shape.length === 0 || c.layouts[0]!.strides[0] === 1);
    const staging = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    let temp: WebGpuHandle | undefined;
    try {
      if (!direct) temp = ctx.alloc('read', n);
      ctx.submit('read', (rec) => {
        if (temp) {
          recordMap(ctx, rec, 'read', { kind: 'copy' }, x.shape, contiguousOut(x.shape, temp), [input(x)]);
          rec.copy(temp.buffer, 0, staging, 0, n * 4);
        } else {
          rec.copy(x.handle.buffer, x.offset * 4, staging, 0, n * 4);
        }
      });
    } finally {
      if (temp) ctx.free(temp);
    }
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      staging.destroy();
      ctx.check('read');
      throw new RnnkitError(`read: mapping the result failed: ${(e as Error).message}`);
    }
    const out = convert(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    ctx.check('read');
    return out;
  };

  const backend: WebGpuBackend = {
    name: 'webgpu',
    capabilities: { dtypes: DTYPES, ieeeSpecialValues: false, syncRead: false },
    kernels,
    fused: createFusedKernels(ctx, check, matmulVariant),
    device,
    adapterInfo,
    matmulVariant,
    upload(data, dtype) {
      requireDtype('upload', dtype);
      const words = toWords(data, dtype);
      const h = ctx.alloc('upload', words.length);
      if (words.length > 0) device.queue.writeBuffer(h.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
      return h;
    },
    read: (x) => read(x),
    free: (h) => ctx.free(h),
    stats: () => ctx.stats(),
    resetPeak: () => ctx.resetPeak(),
    gpuStats: () => ({ ...ctx.stats(), dispatches: ctx.dispatches, submits: ctx.submits, pipelines: ctx.pipelineCount }),
    sync: () => device.queue.onSubmittedWorkDone(),
    destroy() {
      ctx.trim();
      if (ownDevice) device.destroy();
    },
  };
  return backend;
}
