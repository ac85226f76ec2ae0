import type { Ops } from './ops.js';
import { PanelCache } from './panels.js';
import { Resident } from './resident.js';

export type FloatArray = Float32Array | Float64Array;

/** Where `take` puts results: an array of `n` floats the caller may overwrite entirely. */
export type OutputArrays = (n: number) => FloatArray;

/** Results at least this large stay in engine memory (see `Engine.takeResult`). */
const KEEP_BYTES = 256 * 1024;

/** Default for `Engine.residentLimitBytes`. */
export const DEFAULT_RESIDENT_LIMIT_BYTES = 256 * 2 ** 20;

/**
 * Default for `Engine.pinLimitBytes`. Past it (full BPTT over a long sequence in segments pins
 * every segment's activations) saved activations go to JS memory: a wasm32 memory stops at 4 GiB.
 */
export const DEFAULT_PIN_LIMIT_BYTES = 2 ** 30;

/** A block of engine memory that outlives the call that filled it (see `Engine.pin`). */
interface PinnedBlock {
  readonly ptr: number;
  readonly bytes: number;
  free: boolean;
}

/**
 * A scratch memory plus the ops that run on it. Kernels bump-allocate regions for one call
 * (`mark` … `release`), copy operands in, run ops, and copy results out into fresh TypedArrays.
 * The memory grows on demand and keeps its high-water mark for the next call.
 *
 * Below the scratch region lie pinned blocks: memory a call fills and a later call reads (a
 * sequence forward's saved activations, read by its backward), so they need not be copied out
 * and back. They are freed in any order; the region shrinks whenever its last blocks are free,
 * which in training (forward pins, backward unpins) returns it to empty every step.
 */
export abstract class Engine {
  /** Bytes per float element: 4 (f32) or 8 (f64). */
  abstract readonly elementBytes: 4 | 8;
  abstract readonly ops: Ops;
  /** Start of the scratch region = end of the pinned blocks. Address 0 is never handed out: pointers of 0 mean "absent". */
  private base = 16;
  /** Next free scratch byte. */
  private top = 16;
  private readonly pinned: PinnedBlock[] = [];
  /** Calls under way (`mark` … `release` nest); at 0 no scratch is in use. */
  private depth = 0;
  /** Results left in engine memory by `takeResult`, oldest first. */
  private readonly residents: Resident[] = [];
  private cachedBuffer: ArrayBufferLike | undefined;
  private fView: FloatArray | undefined;
  private iView: Int32Array | undefined;
  /** Fresh arrays unless the backend hands out recycled ones (its memory pool). */
  outputArrays: OutputArrays | undefined;
  /** Most bytes pinned at once (0: nothing is pinned; every result and saved activation is copied out). */
  pinLimitBytes = DEFAULT_PIN_LIMIT_BYTES;
  /** Most bytes of resident results; past it the oldest are copied out and their blocks freed. */
  residentLimitBytes = DEFAULT_RESIDENT_LIMIT_BYTES;
  /** Weights' GEMM panels kept across calls (pinned blocks too). */
  readonly panels = new PanelCache(this);

  protected abstract buffer(): ArrayBufferLike;
  /** Makes the memory at least `bytes` long, keeping its contents. */
  protected abstract ensure(bytes: number): void;

  /** Bytes of scratch memory currently reserved. */
  capacity(): number {
    return this.buffer().byteLength;
  }

  mark(): number {
    this.depth++;
    return this.top;
  }

  release(mark: number): void {
    this.depth--;
    // The outermost release empties the scratch, over a pinned region that may have shrunk meanwhile.
    this.top = this.depth === 0 ? this.base : mark;
  }

  /** A 16-byte aligned region of `n` float elements (its contents are undefined). */
  alloc(n: number): number {
    const ptr = this.top;
    const end = ptr + Math.ceil((n * this.elementBytes) / 16) * 16;
    if (end > this.buffer().byteLength) this.ensure(end);
    this.top = end + 16;
    return ptr;
  }

  /**
   * B (K×N, element (k, n) at src + (k·sk + n·sn) elements) packed into fresh scratch panels for
   * `gemm`, whose width is the kernel build's; returns their address.
   */
  packed(src: number, sk: number, sn: number, K: number, N: number): number {
    const dst = this.alloc(this.ops.packedLength(K, N));
    this.ops.packB(src, sk, sn, K, N, dst);
    return dst;
  }

  /** Whether `pin` may add a block now: no scratch is in use. */
  canPin(): boolean {
    return this.top === this.base;
  }

  /**
   * A block of `n` floats that stays until `unpin` (contents undefined): a free pinned block that
   * is large enough, else a new one at the end of the pinned region; 0 when that would pass
   * `pinLimitBytes` or the memory cannot grow (the caller then works in scratch and copies out).
   * Only between calls, or at the start of one before any scratch is taken.
   */
  pin(n: number): number {
    const bytes = Math.ceil((n * this.elementBytes) / 16) * 16 + 16;
    if (this.pinnedBytes() + bytes > this.pinLimitBytes) return 0;
    const reused = this.pinned.find((b) => b.free && b.bytes >= bytes);
    if (reused) {
      reused.free = false;
      return reused.ptr;
    }
    if (this.top !== this.base) throw new Error('Engine.pin: scratch memory is in use; pin before taking scratch.');
    const ptr = this.base;
    try {
      if (ptr + bytes > this.buffer().byteLength) this.ensure(ptr + bytes);
    } catch (err) {
      if (err instanceof RangeError) return 0; // memory.grow refused: past the engine's maximum
      throw err;
    }
    this.pinned.push({ ptr, bytes, free: false });
    this.base = this.top = ptr + bytes;
    return ptr;
  }

  /** Frees a pinned block; trailing free blocks give their memory back to the scratch region. */
  unpin(ptr: number): void {
    const block = this.pinned.find((b) => b.ptr === ptr && !b.free);
    if (!block) throw new Error(`Engine.unpin: no pinned block at ${ptr}.`);
    block.free = true;
    while (this.pinned.length > 0 && this.pinned[this.pinned.length - 1]!.free) this.pinned.pop();
    const last = this.pinned[this.pinned.length - 1];
    this.base = last ? last.ptr + last.bytes : 16;
    if (this.depth === 0) this.top = this.base;
  }

  /**
   * Runs a call (a scratch scope, like `mark` … `release`) that computes a result of `n` floats at
   * the address it is given: a block pinned before the scratch when the result is large, which
   * `takeResult` then leaves in engine memory for the calls that read it next; scratch when it is
   * small or nothing can be pinned. A pinned block that did not become a resident result is
   * unpinned if `f` throws.
   */
  withResult<R>(n: number, f: (result: number) => R): R {
    const pinned = n * this.elementBytes < KEEP_BYTES ? 0 : this.pin(n);
    const m = this.mark();
    try {
      return f(pinned || this.alloc(n));
    } catch (err) {
      if (pinned !== 0 && !this.residents.some((r) => r.ptr === pinned)) this.unpin(pinned);
      throw err;
    } finally {
      this.release(m);
    }
  }

  /**
   * The result of `n` floats at `ptr`: left in engine memory as a `Resident` when it was computed
   * in a `withResult` block (ptr = that block), else copied out like `take`. Past
   * `residentLimitBytes` the oldest residents are copied out and their blocks freed.
   */
  takeResult(ptr: number, n: number): FloatArray | Resident {
    if (n * this.elementBytes < KEEP_BYTES || !this.pinned.some((b) => b.ptr === ptr && !b.free)) return this.take(ptr, n);
    const r = new Resident(this, ptr, n);
    this.residents.push(r);
    let bytes = this.residents.reduce((sum, x) => sum + x.length * this.elementBytes, 0);
    while (bytes > this.residentLimitBytes && this.residents.length > 1) {
      const old = this.residents[0]!;
      void old.data; // its host copy, before the block goes
      bytes -= old.length * this.elementBytes;
      this.forget(old);
    }
    return r;
  }

  /** The engine address of element `offset` of `handle` if it is a result resident here (to be read, never written). */
  residentPtr(handle: object, offset: number): number | undefined {
    return handle instanceof Resident && handle.engine === this && handle.ptr !== 0 ? handle.ptr + offset * this.elementBytes : undefined;
  }

  /**
   * Frees the block of `handle` if it is a result resident here (its handle was freed, or it is
   * evicted), and any panels kept for it.
   */
  forget(handle: object): void {
    this.panels.drop(handle);
    if (!(handle instanceof Resident) || handle.engine !== this || handle.ptr === 0) return;
    this.residents.splice(this.residents.indexOf(handle), 1);
    this.unpin(handle.ptr);
    handle.ptr = 0;
  }

  /** Bytes held by pinned blocks in use. */
  pinnedBytes(): number {
    return this.pinned.reduce((sum, b) => sum + (b.free ? 0 : b.bytes), 0);
  }

  /** A zeroed region of `n` floats. */
  zeros(n: number): number {
    return this.clear(this.alloc(n), n);
  }

  /** Zeroes `n` floats at `ptr`; returns ptr. */
  clear(ptr: number, n: number): number {
    const start = ptr / this.elementBytes;
    this.f().fill(0, start, start + n);
    return ptr;
  }

  /** A region of `n` i32 values. */
  allocI32(n: number): number {
    const ptr = this.top;
    const end = ptr + Math.ceil((n * 4) / 16) * 16;
    if (end > this.buffer().byteLength) this.ensure(end);
    this.top = end + 16;
    return ptr;
  }

  private refresh(): void {
    const b = this.buffer();
    if (b !== this.cachedBuffer) {
      this.cachedBuffer = b;
      this.fView = this.elementBytes === 4 ? new Float32Array(b) : new Float64Array(b);
      this.iView = new Int32Array(b);
    }
  }

  /** The memory as floats (re-made after the memory grew). */
  f(): FloatArray {
    this.refresh();
    return this.fView!;
  }

  i32(): Int32Array {
    this.refresh();
    return this.iView!;
  }

  /** Float index of a byte pointer. */
  at(ptr: number): number {
    return ptr / this.elementBytes;
  }

  /** Copies `src` into a new region. */
  put(src: ArrayLike<number>): number {
    const ptr = this.alloc(src.length);
    this.f().set(src, ptr / this.elementBytes);
    return ptr;
  }

  /** A new (or recycled, see `outputArrays`) typed array holding the `n` floats at `ptr`. */
  take(ptr: number, n: number): FloatArray {
    const i = ptr / this.elementBytes;
    if (this.outputArrays === undefined) return this.f().slice(i, i + n);
    const out = this.outputArrays(n);
    out.set(this.f().subarray(i, i + n));
    return out;
  }
}

const PAGE = 65536;

/** The WebAssembly module's own linear memory. */
export class WasmEngine extends Engine {
  readonly elementBytes = 4 as const;
  constructor(
    readonly ops: Ops,
    private readonly memory: WebAssembly.Memory,
  ) {
    super();
  }
  protected buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }
  protected ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    // Grow by at least a quarter of what is there, so repeated growth stays amortised.
    const want = Math.max(bytes, have + (have >> 2));
    this.memory.grow(Math.ceil((want - have) / PAGE));
  }
}

/** A plain ArrayBuffer for the JS ops (the fallback, and every f64 kernel). */
export class JsEngine extends Engine {
  private buf = new ArrayBuffer(PAGE);
  readonly ops: Ops;
  constructor(
    readonly elementBytes: 4 | 8,
    makeOps: (engine: JsEngine) => Ops,
  ) {
    super();
    this.ops = makeOps(this);
  }
  protected buffer(): ArrayBufferLike {
    return this.buf;
  }
  protected ensure(bytes: number): void {
    const next = new ArrayBuffer(Math.max(bytes, this.buf.byteLength * 2));
    new Uint8Array(next).set(new Uint8Array(this.buf));
    this.buf = next;
  }
}
