import { fail } from '@rnnkit/tensor';
import { hostTensor, type HostTensor } from './host-tensor.js';
import { positiveInt } from './internal/checks.js';

/** Options of `tokenStream`. */
export interface TokenStreamOptions {
  /** B, the number of parallel streams the text is cut into. */
  readonly batchSize: number;
  /** k, the steps per window (the truncated-BPTT length). */
  readonly steps: number;
  /** 'time-major' gives inputs and targets [T, B] (default, what `scan` takes); 'batch-major' [B, T]. */
  readonly layout?: 'time-major' | 'batch-major';
  /** Leave out the last window of an epoch when it is shorter than `steps` (default false). */
  readonly dropLast?: boolean;
}

/**
 * Where a `TokenStream` stands: plain JSON data, saved in a checkpoint so training resumes at the
 * same window. It names the stream's shape and a checksum of its ids, so seeking a stream over
 * different data (or cut differently) fails instead of silently training on other windows.
 */
export interface StreamPosition {
  readonly format: 'rnnkit.stream-position';
  /** Completed passes over the data. */
  readonly epoch: number;
  /** The next window within the epoch. */
  readonly window: number;
  readonly batchSize: number;
  readonly steps: number;
  readonly tokens: number;
  /** FNV-1a hash of the ids, as 8 hex digits. */
  readonly checksum: string;
}

/** One window of k steps of every stream, on the host. */
export interface StreamWindow {
  /** i32 [T, B] (or [B, T]): step t of stream b. */
  readonly inputs: HostTensor<'i32'>;
  /** i32, the same shape: the token after each input (next-token targets). */
  readonly targets: HostTensor<'i32'>;
  /** T, the steps in this window (k, or fewer for the last window of an epoch). */
  readonly steps: number;
  readonly epoch: number;
  /** The window's number within the epoch. */
  readonly index: number;
  /** The first window of an epoch: the streams start over, so reset the carried recurrent state. */
  readonly first: boolean;
  /** The last window of an epoch. */
  readonly last: boolean;
}

/**
 * A long sequence of ids cut into B contiguous streams, read k steps at a time: the data layout of
 * truncated BPTT. Stream b covers ids [b·L, (b+1)·L) with L = ⌊(N − 1) / B⌋, and window w holds
 * steps [w·k, (w+1)·k) of every stream, so the recurrent state at the end of one window is the
 * right start for the next. Targets are the inputs shifted by one token.
 *
 * The stream's position is explicit state (`position()` / `seek()`), so a checkpoint can hold it
 * and a resumed run reads exactly the windows it would have read.
 */
export class TokenStream implements Iterable<StreamWindow> {
  readonly batchSize: number;
  readonly steps: number;
  readonly layout: 'time-major' | 'batch-major';
  /** L, the tokens per stream (each with a target). */
  readonly streamLength: number;
  /** Windows in one pass over the data. */
  readonly windowsPerEpoch: number;
  readonly #ids: Int32Array;
  readonly #checksum: string;
  #epoch = 0;
  #window = 0;

  /** Use `tokenStream(ids, options)`. */
  constructor(ids: ArrayLike<number>, options: TokenStreamOptions) {
    const op = 'tokenStream';
    this.batchSize = positiveInt(op, 'batchSize', options.batchSize);
    this.steps = positiveInt(op, 'steps', options.steps);
    this.layout = options.layout ?? 'time-major';
    if (this.layout !== 'time-major' && this.layout !== 'batch-major') fail(`${op}: layout must be 'time-major' or 'batch-major', got ${JSON.stringify(this.layout)}.`);
    this.#ids = Int32Array.from(ids);
    for (let i = 0; i < ids.length; i++) if (!Number.isInteger(ids[i])) fail(`${op}: ids[${i}] is ${String(ids[i])}; ids must be integers.`);
    this.streamLength = Math.floor((this.#ids.length - 1) / this.batchSize);
    if (this.streamLength < 1)
      fail(`${op}: ${this.#ids.length} tokens cannot fill ${this.batchSize} streams (each needs at least 2 tokens: an input and its target); use more text or a smaller batchSize.`);
    const full = Math.floor(this.streamLength / this.steps);
    this.windowsPerEpoch = options.dropLast ? full : Math.ceil(this.streamLength / this.steps);
    if (this.windowsPerEpoch === 0) fail(`${op}: streams of ${this.streamLength} tokens are shorter than one window of ${this.steps} steps, and dropLast leaves nothing; use fewer steps or a smaller batchSize.`);
    this.#checksum = fnv1a(this.#ids);
  }

  /** Where the stream stands (the next window to read), as plain data. */
  position(): StreamPosition {
    return {
      format: 'rnnkit.stream-position', epoch: this.#epoch, window: this.#window,
      batchSize: this.batchSize, steps: this.steps, tokens: this.#ids.length, checksum: this.#checksum,
    };
  }

  /** Moves to a saved position. Fails when it was saved from a stream of other data or shape. */
  seek(position: StreamPosition): void {
    const op = 'TokenStream.seek';
    if (typeof position !== 'object' || position === null || position.format !== 'rnnkit.stream-position')
      fail(`${op}: the value is not a stream position (expected format 'rnnkit.stream-position'); pass what position() returned.`);
    const mine = this.position();
    for (const key of ['batchSize', 'steps', 'tokens', 'checksum'] as const)
      if (position[key] !== mine[key])
        fail(`${op}: the position was saved from a stream with ${key} ${String(position[key])}, but this stream has ${String(mine[key])}; resume with the same data, batchSize and steps.`);
    if (!Number.isInteger(position.epoch) || position.epoch < 0 || !Number.isInteger(position.window) || position.window < 0 || position.window >= this.windowsPerEpoch)
      fail(`${op}: epoch ${String(position.epoch)}, window ${String(position.window)} is not a position of this stream (${this.windowsPerEpoch} windows per epoch).`);
    this.#epoch = position.epoch;
    this.#window = position.window;
  }

  /** The next window; at the end of an epoch it wraps around to the next one. */
  nextWindow(): StreamWindow {
    const w = this.window(this.#window, this.#epoch);
    if (++this.#window === this.windowsPerEpoch) {
      this.#window = 0;
      this.#epoch++;
    }
    return w;
  }

  /** The windows left in the current epoch; the position moves on as they are read. */
  *[Symbol.iterator](): Iterator<StreamWindow> {
    const epoch = this.#epoch;
    while (this.#epoch === epoch) yield this.nextWindow();
  }

  /** Window `index` of the epoch, without moving the position. */
  window(index: number, epoch = this.#epoch): StreamWindow {
    if (!Number.isInteger(index) || index < 0 || index >= this.windowsPerEpoch)
      fail(`TokenStream.window: index ${index} is outside [0, ${this.windowsPerEpoch}).`);
    const B = this.batchSize;
    const L = this.streamLength;
    const start = index * this.steps;
    const T = Math.min(this.steps, L - start);
    const inputs = new Int32Array(T * B);
    const targets = new Int32Array(T * B);
    const timeMajor = this.layout === 'time-major';
    for (let b = 0; b < B; b++) {
      const base = b * L + start;
      for (let t = 0; t < T; t++) {
        const at = timeMajor ? t * B + b : b * T + t;
        inputs[at] = this.#ids[base + t]!;
        targets[at] = this.#ids[base + t + 1]!;
      }
    }
    const shape = timeMajor ? [T, B] : [B, T];
    return {
      inputs: hostTensor(inputs, shape), targets: hostTensor(targets, shape), steps: T, epoch, index,
      first: index === 0, last: index === this.windowsPerEpoch - 1,
    };
  }
}

/**
 * Cuts `ids` (an encoded text) into `batchSize` parallel streams read `steps` at a time, for
 * truncated BPTT. Carry the recurrent state from one window to the next; reset it when
 * `window.first` (a new epoch starts the streams over).
 *
 * @example
 * const stream = tokenStream(vocab.encode(text), { batchSize: 32, steps: 64 });
 * for (let i = 0; i < 1000; i++) {
 *   const w = stream.nextWindow();   // w.inputs, w.targets: [64, 32] i32
 *   if (w.first) state = cell.zeroState(32, backend);
 *   // … train on w, keep the state …
 * }
 * const saved = stream.position();   // into the checkpoint; later: stream.seek(saved)
 */
export function tokenStream(ids: ArrayLike<number>, options: TokenStreamOptions): TokenStream {
  return new TokenStream(ids, options);
}

function fnv1a(ids: Int32Array): string {
  let h = 0x811c9dc5;
  const bytes = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
