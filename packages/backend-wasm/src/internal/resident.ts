import type { Engine, FloatArray } from './engine.js';

/**
 * A large result left where its kernel wrote it, in a pinned block of engine memory: a later call
 * that reads it (the input projection feeding a sequence kernel, hs feeding the head, a gradient
 * feeding its weight-gradient GEMM) finds it in place (`Engine.keptPtr`), and it is copied to the
 * host only if something reads `data` there (a JS kernel, `read`), or when the engine evicts it.
 * Tensors are immutable, so the block and the host copy never disagree.
 */
export class Resident {
  #data: FloatArray | undefined;
  /** The block's address, 0 once evicted or freed. */
  ptr: number;
  constructor(
    readonly engine: Engine,
    ptr: number,
    readonly length: number,
  ) {
    this.ptr = ptr;
  }
  /** The host copy, made on first use. */
  get data(): FloatArray {
    if (this.#data === undefined) {
      if (this.ptr === 0) throw new Error('Resident.data: this result was freed before it was read.');
      this.#data = this.engine.take(this.ptr, this.length);
    }
    return this.#data;
  }
  /** Whether `data` has been copied out (only then may the pool take the array). */
  get onHost(): boolean {
    return this.#data !== undefined;
  }
}
