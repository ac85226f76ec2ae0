import { fail } from './errors.js';

/** What an Rng is made of; plain data, so checkpoints can save and restore it exactly. */
export interface RngState {
  readonly key: readonly [number, number];
  readonly counter: number;
}

// Murmur3's finaliser: a cheap bijective mix of 32 bits.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Counter-based: the n-th draw depends only on (key, n), so streams split and resume exactly.
function draw(k0: number, k1: number, n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return fmix32((fmix32(k0 ^ fmix32(lo + 0x9e3779b9)) + Math.imul(k1 ^ hi, 0x27d4eb2d)) >>> 0);
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h >>> 0);
}

/**
 * A seeded, splittable random number generator. Draws advance a counter; `split()` hands out an
 * independent child stream; `fork(label)` derives a child from the key and a name alone, so it
 * does not depend on how many draws came before (probes use it to leave training untouched).
 */
export class Rng {
  #k0: number;
  #k1: number;
  #counter: number;

  private constructor(k0: number, k1: number, counter: number) {
    this.#k0 = k0 >>> 0;
    this.#k1 = k1 >>> 0;
    this.#counter = counter;
  }

  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) fail(`createRng: seed must be a safe integer, got ${seed}.`);
    return new Rng(fmix32(seed >>> 0), fmix32((Math.floor(seed / 4294967296) ^ 0x5bd1e995) >>> 0), 0);
  }

  static fromState(state: RngState): Rng {
    return new Rng(state.key[0], state.key[1], state.counter);
  }

  state(): RngState {
    return { key: [this.#k0, this.#k1], counter: this.#counter };
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    return draw(this.#k0, this.#k1, this.#counter++);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal (Box–Muller). */
  nextNormal(): number {
    const u = 1 - this.nextFloat(); // in (0, 1], so log is finite
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An independent child stream; advances this stream by two draws. */
  split(): Rng {
    const a = this.nextUint32();
    const b = this.nextUint32();
    return new Rng(fmix32(a ^ this.#k1), fmix32(b ^ this.#k0), 0);
  }

  /** A child stream named `label`, independent of this stream's position. */
  fork(label: string): Rng {
    const h = hashString(label);
    return new Rng(fmix32(this.#k0 ^ h), fmix32(this.#k1 + h), 0);
  }

  /** n uniform draws in [low, high). */
  uniformArray(n: number, low = 0, high = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = low + (high - low) * this.nextFloat();
    return out;
  }

  normalArray(n: number, mean = 0, std = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.nextNormal();
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.nextFloat() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export function createRng(seed: number): Rng {
  return Rng.fromSeed(seed);
}
