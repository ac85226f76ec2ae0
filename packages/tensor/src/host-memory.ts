import type { BackendStats } from './backend.js';
import type { TypedArray } from './dtype.js';
import { RnnkitError } from './errors.js';
import { sizeOf, type Shape } from './shape.js';

/** A handle to host memory: what backends that compute on TypedArrays hand out. */
export interface HostHandle {
  readonly data: TypedArray;
}

/**
 * Handle accounting for backends whose tensors live in TypedArrays: tracks what was handed out, so
 * `stats()` reports live memory, and a second free (or use after free) is caught instead of silently
 * corrupting the counts. `owner` names the backend in error messages.
 */
export class HostMemory {
  private readonly live = new Set<HostHandle>();
  private readonly freed = new WeakSet<HostHandle>();
  private bytes = 0;
  private peakBytes = 0;

  constructor(private readonly owner: string) {}

  /** Wraps a freshly allocated array in a handle the caller now owns. */
  track(data: TypedArray): HostHandle {
    const handle: HostHandle = { data };
    this.live.add(handle);
    this.bytes += data.byteLength;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return handle;
  }

  free(handle: HostHandle): void {
    if (this.freed.has(handle)) throw new RnnkitError('free: this handle was already freed; free each handle exactly once.');
    if (!this.live.has(handle)) throw new RnnkitError(`free: this handle was not allocated by this ${this.owner} backend; free it on the backend that made it.`);
    this.live.delete(handle);
    this.freed.add(handle);
    this.bytes -= handle.data.byteLength;
  }

  /** Throws when a kernel is handed a handle that was already freed. */
  check(handle: HostHandle, op: string): void {
    if (this.freed.has(handle)) throw new RnnkitError(`${op}: an input's handle was already freed; keep tensors alive until every op that reads them has run.`);
  }

  stats(): BackendStats {
    return { liveHandles: this.live.size, bytes: this.bytes, peakBytes: this.peakBytes, pooledBytes: 0 };
  }

  resetPeak(): void {
    this.peakBytes = this.bytes;
  }
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
