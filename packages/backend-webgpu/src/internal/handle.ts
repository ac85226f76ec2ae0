/**
 * The WebGPU backend's storage: one GPUBuffer per handle, 4 bytes per element whatever the dtype
 * (f32 and i32 as themselves, bool as u32 0/1). Handles are opaque above the backend.
 */
export class WebGpuHandle {
  /** Set once free() has run; the buffer then belongs to the pool. */
  freed = false;
  constructor(
    readonly buffer: GPUBuffer,
    /** Elements this handle holds (the buffer may be larger: pool buckets round up). */
    readonly length: number,
    /** Bytes the caller asked for (length · 4), what stats() counts. */
    readonly bytes: number,
  ) {}
}
