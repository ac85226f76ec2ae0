import { RnnkitError } from '@rnnkit/tensor';
import type { BackendStats } from '@rnnkit/tensor';
import { WebGpuHandle } from './handle.js';

/** A storage-buffer binding: a byte range of a buffer. */
export interface Binding {
  readonly buffer: GPUBuffer;
  /** Byte offset (a multiple of minStorageBufferOffsetAlignment). */
  readonly offset?: number;
  /** Byte size; at least 4. */
  readonly size: number;
}

export interface ContextOptions {
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  readonly poolBytes?: number;
  /** Overrides the adapter's maxStorageBufferBindingSize (bytes), e.g. to test chunking. */
  readonly maxBindingBytes?: number;
  /** Wraps every operation in error scopes and reports validation/OOM errors naming the op. */
  readonly debug?: boolean;
  /** A software adapter (SwiftShader, fallback): kernels with a choice pick what suits a CPU. */
  readonly software?: boolean;
  /** Reduction kernel: 'tree' (a workgroup per output), 'thread' (a thread per output) or 'auto'. */
  readonly reduce?: 'auto' | 'tree' | 'thread';
}

const UNIFORM_BYTES = 256;

/** Pool bucket for a byte size: powers of two up to 1 MiB, then whole MiB. */
function bucket(bytes: number): number {
  const n = Math.max(16, bytes);
  if (n <= 1 << 20) return 2 ** Math.ceil(Math.log2(n));
  return Math.ceil(n / (1 << 20)) * (1 << 20);
}

/**
 * Everything the kernels share: the device, limits, the pipeline cache (keyed by kernel and
 * dtype, never by shapes: sizes travel in uniforms), the buffer pool, dispatch counting and the
 * error plumbing. Each kernel call records one command buffer and submits it at once, so the
 * queue orders every writeBuffer, dispatch and copy exactly as the calls were made.
 */
export class GpuContext {
  readonly limits: GPUSupportedLimits;
  /** Threads per workgroup for 1-D kernels, within the adapter's limits. */
  readonly wg: number;
  /** Largest storage binding, in bytes. */
  readonly maxBinding: number;
  /** minStorageBufferOffsetAlignment in elements. */
  readonly alignElems: number;
  readonly uniformAlign: number;
  readonly debug: boolean;
  readonly software: boolean;
  readonly reduce: 'auto' | 'tree' | 'thread';
  private readonly poolLimit: number;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly uniforms: GPUBuffer[] = [];
  private readonly live = new Set<WebGpuHandle>();
  private bytes = 0;
  private peak = 0;
  private pooled = 0;
  /** Compute dispatches issued since creation. */
  dispatches = 0;
  /** Command buffers submitted since creation. */
  submits = 0;
  private lost: string | undefined;
  private errors: string[] = [];
  private currentOp = 'an operation';

  constructor(readonly device: GPUDevice, options: ContextOptions = {}) {
    this.limits = device.limits;
    this.wg = Math.max(1, Math.min(128, device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX));
    this.maxBinding = Math.min(options.maxBindingBytes ?? Infinity, device.limits.maxStorageBufferBindingSize);
    this.alignElems = device.limits.minStorageBufferOffsetAlignment / 4;
    this.uniformAlign = Math.max(UNIFORM_BYTES, device.limits.minUniformBufferOffsetAlignment);
    this.debug = options.debug === true;
    this.software = options.software === true;
    this.reduce = options.reduce ?? 'auto';
    this.poolLimit = options.poolBytes ?? 256 * 2 ** 20;
    void device.lost.then((info) => {
      if (info.reason !== 'destroyed') this.lost = `the GPU device was lost (${info.reason}: ${info.message}) during or after ${this.currentOp}`;
      else this.lost = 'the GPU device was destroyed; create a new backend';
    });
    device.addEventListener('uncapturederror', (e) => {
      const err = (e).error;
      this.errors.push(`${this.currentOp}: ${err.constructor.name}: ${err.message}`);
    });
  }

  /** Throws when the device is gone or an earlier operation reported an error. */
  check(op: string): void {
    if (this.lost !== undefined) throw new RnnkitError(`${op}: ${this.lost}.`);
    if (this.errors.length > 0) {
      const msg = this.errors.join('; ');
      this.errors = [];
      const oom = /out of memory|OutOfMemory/i.test(msg);
      throw new RnnkitError(`${op}: an earlier WebGPU operation failed${oom ? ' (out of GPU memory: free tensors or use smaller batches)' : ''}: ${msg}`);
    }
  }

  // ---------------------------------------------------------------- memory

  /** A fresh handle of `length` elements (contents undefined unless `zero`). */
  alloc(op: string, length: number): WebGpuHandle {
    this.check(op);
    const bytes = Math.max(4, length * 4);
    const size = bucket(bytes);
    if (size > this.limits.maxBufferSize) {
      throw new RnnkitError(
        `${op}: a result of ${length} elements (${bytes} bytes) exceeds this adapter's maxBufferSize (${this.limits.maxBufferSize} bytes); split the work into smaller tensors.`,
      );
    }
    let buffer = this.pool.get(size)?.pop();
    if (buffer !== undefined) {
      this.pooled -= size;
    } else {
      if (this.debug) this.device.pushErrorScope('out-of-memory');
      buffer = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      if (this.debug) this.scopeReport(op, 'allocating a buffer');
    }
    const h = new WebGpuHandle(buffer, length, length * 4);
    this.live.add(h);
    this.bytes += h.bytes;
    this.peak = Math.max(this.peak, this.bytes);
    return h;
  }

  free(h: WebGpuHandle): void {
    if (h.freed) throw new RnnkitError('free: this handle was already freed; free each handle exactly once.');
    if (!this.live.has(h)) throw new RnnkitError('free: this handle was not allocated by this WebGPU backend; free it on the backend that made it.');
    h.freed = true;
    this.live.delete(h);
    this.bytes -= h.bytes;
    const size = h.buffer.size;
    if (this.pooled + size <= this.poolLimit) {
      const list = this.pool.get(size) ?? [];
      list.push(h.buffer);
      this.pool.set(size, list);
      this.pooled += size;
    } else {
      h.buffer.destroy();
    }
  }

  owns(h: unknown): h is WebGpuHandle {
    return h instanceof WebGpuHandle && this.live.has(h);
  }

  stats(): BackendStats {
    return { liveHandles: this.live.size, bytes: this.bytes, peakBytes: this.peak, pooledBytes: this.pooled };
  }

  resetPeak(): void {
    this.peak = this.bytes;
  }

  /** Destroys pooled buffers (live handles stay valid). */
  trim(): void {
    for (const list of this.pool.values()) for (const b of list) b.destroy();
    this.pool.clear();
    this.pooled = 0;
  }

  // ---------------------------------------------------------------- pipelines and commands

  pipeline(key: string, code: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (p === undefined) {
      const module = this.device.createShaderModule({ code: code(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  /** A 256-byte uniform buffer holding `words` (u32), returned to the pool once `submit` ran. */
  private uniformBuffer(words: Uint32Array, pending: GPUBuffer[]): GPUBuffer {
    const buf = this.uniforms.pop() ?? this.device.createBuffer({ size: UNIFORM_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(buf, 0, words.buffer, words.byteOffset, Math.min(words.byteLength, UNIFORM_BYTES));
    pending.push(buf);
    return buf;
  }

  /**
   * Records one command buffer for `op` and submits it. `record` gets a Recorder for dispatches
   * and copies; uniforms it asked for go back to the pool after the submit.
   */
  submit(op: string, record: (r: Recorder) => void): void {
    this.check(op);
    this.currentOp = op;
    if (this.debug) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
    }
    const encoder = this.device.createCommandEncoder({ label: op });
    const pending: GPUBuffer[] = [];
    const rec = new Recorder(this, encoder, (w) => this.uniformBuffer(w, pending));
    record(rec);
    rec.endPass();
    this.device.queue.submit([encoder.finish()]);
    this.submits++;
    this.uniforms.push(...pending);
    if (this.debug) {
      this.scopeReport(op, 'validation');
      this.scopeReport(op, 'running');
    }
  }

  private scopeReport(op: string, what: string): void {
    void this.device.popErrorScope().then((err) => {
      if (err) this.errors.push(`${op} (${what}): ${err.message}`);
    });
  }

  /** Workgroup counts for `n` threads in 1-D kernels, spread over y past the 65535 limit. */
  groups(n: number, wg = this.wg): [number, number] {
    const g = Math.max(1, Math.ceil(n / wg));
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (g <= max) return [g, 1];
    const y = Math.ceil(g / max);
    if (y > max) throw new RnnkitError(`a kernel over ${n} elements needs more workgroups than this adapter allows (${max} per dimension).`);
    return [Math.ceil(g / y), y];
  }
}

/** Records dispatches into one compute pass (reopened around copies). */
export class Recorder {
  private pass: GPUComputePassEncoder | undefined;
  constructor(
    private readonly ctx: GpuContext,
    readonly encoder: GPUCommandEncoder,
    private readonly uniform: (words: Uint32Array) => GPUBuffer,
  ) {}

  endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Dispatch `pipeline` with a uniform (words, or an existing binding) at binding 0 and storage bindings from 1. */
  dispatch(pipeline: GPUComputePipeline, uniform: Uint32Array | Binding, storage: readonly Binding[], groups: readonly number[]): void {
    const u: Binding = uniform instanceof Uint32Array ? { buffer: this.uniform(uniform), size: UNIFORM_BYTES } : uniform;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: u.buffer, offset: u.offset ?? 0, size: u.size } }];
    storage.forEach((b, i) => entries.push({ binding: i + 1, resource: { buffer: b.buffer, offset: b.offset ?? 0, size: Math.max(4, b.size) } }));
    const group = this.ctx.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    this.pass ??= this.encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(groups[0]!, groups[1] ?? 1, groups[2] ?? 1);
    this.ctx.dispatches++;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes <= 0) return;
    this.endPass();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  clear(buf: GPUBuffer, offset: number, bytes: number): void {
    if (bytes <= 0) return;
    this.endPass();
    this.encoder.clearBuffer(buf, offset, bytes);
  }
}

/** Binding of a whole handle. */
export function whole(h: WebGpuHandle): Binding {
  return { buffer: h.buffer, size: Math.max(4, h.length * 4) };
}
