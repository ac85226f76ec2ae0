import type { TypedArray } from '@rnnkit/tensor';
import type { Engine, FloatArray } from './engine.js';

/**
 * A large result left where its kernel wrote it, in a pinned block of engine memory: a later call
 * that reads it (the input projection feeding a sequence kernel, hs feeding the head, a gradient
 * feeding its weight-gradient GEMM) finds it in place (`Engine.residentPtr`), and it is copied to the
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
    this.#data ??= this.engine.take(this.block(), this.length);
    return this.#data;
  }
  /**
   * `n` elements from element `offset` as a new array, or into `out`: straight from engine memory
   * while no host copy exists (reading never makes one).
   */
  read(offset: number, n: number, out?: TypedArray): TypedArray {
    const start = this.#data ? offset : this.engine.at(this.block()) + offset;
    const src = (this.#data ?? this.engine.f()).subarray(start, start + n);
    if (out === undefined) return src.slice();
    out.set(src);
    return out;
  }

  /** The block's address, checked: a freed result has none. */
  private block(): number {
    if (this.ptr === 0) throw new Error('Resident: this result was freed before it was read.');
    return this.ptr;
  }

  /** Whether `data` has been copied out (only then may the pool take the array). */
  get onHost(): boolean {
    return this.#data !== undefined;
  }
}
