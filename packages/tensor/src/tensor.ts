import type { Backend, Handle, View } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { allocate, bytesPerElement } from './dtype.js';
import { fail, fmtShape } from './errors.js';
import { contiguousStrides, sizeOf, type Shape } from './shape.js';
import { trackInScope } from './scope.js';

/** Device memory shared by a tensor and all its views; freed when the last one is disposed. */
let nextId = 1;

class Storage {
  refs = 1;
  constructor(readonly backend: Backend, readonly handle: Handle) {}
  release(): void {
    if (--this.refs === 0) this.backend.free(this.handle);
  }
}

/**
 * An n-dimensional array on a backend. Tensors are immutable; ops return new ones that the caller
 * owns. `dispose()` (or `using`) releases it; views share memory, which is freed with the last view.
 */
export class Tensor implements Disposable {
  readonly #storage: Storage;
  #disposed = false;
  readonly size: number;
  /** Identifies the value: `retain()` copies share it, new tensors and views get their own. */
  readonly id: number;

  private constructor(
    storage: Storage,
    readonly dtype: DType,
    readonly shape: Shape,
    readonly strides: readonly number[],
    readonly offset: number,
    tracked: boolean,
    id: number = nextId++,
  ) {
    this.id = id;
    this.#storage = storage;
    this.size = sizeOf(shape);
    if (tracked) trackInScope(this);
  }

  /** Wraps a fresh contiguous handle; the tensor takes ownership of it. */
  static fromHandle(backend: Backend, handle: Handle, shape: Shape, dtype: DType): Tensor {
    return new Tensor(new Storage(backend, handle), dtype, [...shape], contiguousStrides(shape), 0, true);
  }

  /**
   * Owns a backend handle whose layout only the backend knows (a fused kernel's saved activations):
   * it can be kept, retained and disposed like any tensor, but not read or used in ops.
   */
  static fromOpaqueHandle(backend: Backend, handle: Handle): Tensor {
    return new Tensor(new Storage(backend, handle), 'f32', [0], [1], 0, true);
  }

  get backend(): Backend {
    return this.#storage.backend;
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.#disposed;
  }
  /** Bytes of the elements this tensor shows (a view's storage may be larger). */
  get bytes(): number {
    return this.size * bytesPerElement(this.dtype);
  }
  get isContiguous(): boolean {
    if (this.offset !== 0) return false;
    const c = contiguousStrides(this.shape);
    return this.shape.every((d, i) => d === 1 || this.strides[i] === c[i]);
  }

  /** The storage and layout kernels see. Throws when the tensor was disposed. */
  view(op = 'use'): View {
    if (this.#disposed) fail(`${op}: this tensor ${fmtShape(this.shape)} ${this.dtype} was already disposed; keep it (or a copy() of it) until every use is done.`);
    return { handle: this.#storage.handle, dtype: this.dtype, shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /** A view sharing this tensor's memory with a new layout (metadata only). */
  withLayout(shape: Shape, strides: readonly number[], offset: number): Tensor {
    this.view('view');
    this.#storage.refs++;
    return new Tensor(this.#storage, this.dtype, [...shape], [...strides], offset, true);
  }

  /**
   * Another owner of the same memory, not tracked by any `scope()`. Autograd tapes use it to keep
   * what they saved alive even when the user disposes the original early.
   */
  retain(): Tensor {
    this.view('retain');
    this.#storage.refs++;
    return new Tensor(this.#storage, this.dtype, this.shape, this.strides, this.offset, false, this.id);
  }

  /**
   * Reads the elements back to the host (row-major, contiguous). Async by contract. With `into` (an
   * array of this tensor's dtype and size) the elements are written there and `into` is returned:
   * a loop that reads every step then reuses one buffer rather than taking fresh memory each time.
   */
  read(into?: TypedArray): Promise<TypedArray> {
    const view = this.view('read');
    if (into === undefined) return this.backend.read(view);
    this.checkReadTarget('read', into);
    return this.backend.read(view, into).then((got) => copiedInto(into, got));
  }

  /** Synchronous read, only where the backend allows it (`capabilities.syncRead`); `into` as for `read`. */
  readSync(into?: TypedArray): TypedArray {
    const be = this.backend;
    if (!be.readSync) fail(`readSync: backend '${be.name}' reads asynchronously only; use await tensor.read().`);
    const view = this.view('readSync');
    if (into === undefined) return be.readSync(view);
    this.checkReadTarget('readSync', into);
    return copiedInto(into, be.readSync(view, into));
  }

  private checkReadTarget(op: string, into: TypedArray): void {
    const wanted = allocate(this.dtype, 0).constructor;
    if (into.constructor !== wanted || into.length !== this.size) {
      fail(
        `${op}: the target is a ${into.constructor.name} of ${into.length} elements; this tensor ${fmtShape(this.shape)} ${this.dtype} needs a ` +
          `${wanted.name} of ${this.size}. Allocate one of that type and size, or read without a target.`,
      );
    }
  }

  /** Reads a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) fail(`item: tensor has shape ${fmtShape(this.shape)} (${this.size} elements); item() needs exactly one.`);
    return (await this.read())[0]!;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#storage.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}, ${this.backend.name}${this.#disposed ? ', disposed' : ''})`;
  }
}

/** Checks that all tensors are alive and live on one backend; returns that backend. */
export function sameBackend(op: string, ...ts: Tensor[]): Backend {
  const be = ts[0]!.backend;
  for (const t of ts) {
    t.view(op);
    if (t.backend !== be) fail(`${op}: tensors live on different backends ('${be.name}' and '${t.backend.name}'); move one with toBackend() first.`);
  }
  return be;
}

/** `into` holding `got`: a backend that ignored the target returned a fresh array, copied over here. */
function copiedInto(into: TypedArray, got: TypedArray): TypedArray {
  if (got !== into) into.set(got);
  return into;
}
