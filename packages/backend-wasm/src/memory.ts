import { RnnkitError } from '@rnnkit/tensor';
import type { BackendStats, TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';

/**
 * Tracks the handles one backend has handed out, so stats() can report live memory and a
 * second free (or use after free) is caught instead of silently corrupting the counts.
 */
export class Memory {
  private readonly live = new Set<WasmHandle>();
  private readonly freed = new WeakSet<WasmHandle>();
  private bytes = 0;
  private peakBytes = 0;

  /** Wraps a freshly allocated array in a handle the caller now owns. */
  track(data: TypedArray): WasmHandle {
    const handle: WasmHandle = { data };
    this.live.add(handle);
    this.bytes += data.byteLength;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    return handle;
  }

  free(handle: WasmHandle): void {
    if (this.freed.has(handle)) {
      throw new RnnkitError('free: this handle was already freed; free each handle exactly once.');
    }
    if (!this.live.has(handle)) {
      throw new RnnkitError('free: this handle was not allocated by this wasm backend; free it on the backend that made it.');
    }
    this.live.delete(handle);
    this.freed.add(handle);
    this.bytes -= handle.data.byteLength;
  }

  /** Throws when a kernel is handed a handle that was already freed. */
  check(handle: WasmHandle, op: string): void {
    if (this.freed.has(handle)) {
      throw new RnnkitError(`${op}: an input's handle was already freed; keep tensors alive until every op that reads them has run.`);
    }
  }

  stats(): BackendStats {
    return { liveHandles: this.live.size, bytes: this.bytes, peakBytes: this.peakBytes, pooledBytes: 0 };
  }

  resetPeak(): void {
    this.peakBytes = this.bytes;
  }
}
