import type { BackendStats } from './backend.js';
import { allocate, type DType, type TypedArray, type TypedArrayFor } from './dtype.js';
import { RnnkitError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';

/** A handle to host memory: what backends that compute on TypedArrays hand out. */
export interface HostHandle {
  readonly data: TypedArray;
}

/** Options of `HostMemory`. */
export interface HostMemoryOptions {
  /**
   * Bytes of freed arrays kept for reuse by `acquire` (default 0: no pool). A fresh large
   * TypedArray costs far more than the copy that fills it (zeroed pages, then garbage collection),
   * so backends that hand out many same-sized arrays per step pool them.
   */
  readonly poolBytes?: number;
}

/** Arrays smaller than this are cheap to allocate and are not pooled. */
const MIN_POOLED_BYTES = 4096;

/**
 * Handle accounting for backends whose tensors live in TypedArrays: tracks what was handed out, so
 * `stats()` reports live memory, and a second free (or use after free) is caught instead of silently
 * corrupting the counts. `owner` names the backend in error messages. With a pool, freed arrays are
 * kept (up to `poolBytes`) and handed out again by `acquire`; a tracked array must then be owned by
 * its handle alone, which holds for backends that copy on upload and on read.
 */
export class HostMemory {
  /** Live handles and the bytes each holds. */
  private readonly live = new Map<HostHandle, number>();
  private readonly freed = new WeakSet<HostHandle>();
  private bytes = 0;
  private peakBytes = 0;
  private readonly poolLimit: number;
  /** Free arrays by constructor name and length. */
  private readonly pool = new Map<string, TypedArray[]>();
  private pooled = 0;

  constructor(
    private readonly owner: string,
    options: HostMemoryOptions = {},
  ) {
    this.poolLimit = options.poolBytes ?? 0;
  }

  /** Wraps a freshly allocated array in a handle the caller now owns. */
  track(data: TypedArray): HostHandle {
    return this.adopt({ data });
  }

  /**
   * Registers a handle the backend made itself, holding `bytes` (by default its array's): for
   * handles whose memory lies elsewhere, such as a block the backend keeps in WebAssembly memory.
   */
  adopt<T extends HostHandle>(handle: T, bytes = handle.data.byteLength): T {
    this.live.set(handle, bytes);
    this.bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return handle;
  }

  /**
   * An array of `size` elements of `dtype` for a kernel that writes every element: a pooled one
   * (holding stale values) when there is one of that length, else a fresh zeroed one.
   */
  acquire<D extends DType>(dtype: D, size: number): TypedArrayFor[D] {
    const reused = this.pooled === 0 ? undefined : this.pool.get(`${ARRAY_NAME[dtype]}:${size}`)?.pop();
    if (reused === undefined) return allocate(dtype, size);
    this.pooled -= reused.byteLength;
    return reused as TypedArrayFor[D];
  }

  free(handle: HostHandle): void {
    if (this.freed.has(handle)) throw new RnnkitError('free: this handle was already freed; free each handle exactly once.');
    if (!this.live.has(handle)) throw new RnnkitError(`free: this handle was not allocated by this ${this.owner} backend; free it on the backend that made it.`);
    this.bytes -= this.live.get(handle)!;
    this.live.delete(handle);
    this.freed.add(handle);
    const data = this.poolable(handle);
    if (data === undefined) return;
    // Only whole arrays are pooled: a view into a larger buffer is left to the garbage collector.
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    if (whole && data.byteLength >= MIN_POOLED_BYTES && this.pooled + data.byteLength <= this.poolLimit) {
      const key = keyOf(data);
      const list = this.pool.get(key);
      if (list) list.push(data);
      else this.pool.set(key, [data]);
      this.pooled += data.byteLength;
    }
  }

  /** The array a freed handle gives the pool, if any (a subclass whose handles may hold no host array says so). */
  protected poolable(handle: HostHandle): TypedArray | undefined {
    return handle.data;
  }

  /** Throws when a kernel is handed a handle that was already freed. */
  check(handle: HostHandle, op: string): void {
    if (this.freed.has(handle)) throw new RnnkitError(`${op}: an input's handle was already freed; keep tensors alive until every op that reads them has run.`);
  }

  stats(): BackendStats {
    return { liveHandles: this.live.size, bytes: this.bytes, peakBytes: this.peakBytes, pooledBytes: this.pooled };
  }

  resetPeak(): void {
    this.peakBytes = this.bytes;
  }

  /** Drops every pooled array (live handles are untouched). */
  trimPool(): void {
    this.pool.clear();
    this.pooled = 0;
  }
}

const ARRAY_NAME: Record<DType, string> = { f32: 'Float32Array', f64: 'Float64Array', i32: 'Int32Array', bool: 'Uint8Array' };

function keyOf(data: TypedArray): string {
  return `${data.constructor.name}:${data.length}`;
}

/**
 * The storage index of every logical element of a strided layout, in row-major order. An odometer
 * walks the logical index; each step adds one axis' stride and undoes the axes that wrapped, so no
 * division is needed. A stride of 0 repeats the same element, which is how broadcast axes read.
 */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Float64Array {
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  if (size === 0) return out;
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let i = 0; i < size; i++) {
    out[i] = pos;
    for (let axis = rank - 1; axis >= 0; axis--) {
      const stride = strides[axis]!;
      if (counter[axis]! + 1 < shape[axis]!) {
        counter[axis]!++;
        pos += stride;
        break;
      }
      pos -= counter[axis]! * stride;
      counter[axis] = 0;
    }
  }
  return out;
}
