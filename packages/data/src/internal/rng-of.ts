import { createRng, fail, Rng } from '@rnnkit/tensor';

/** A seed becomes a fresh Rng; an Rng is used (and advanced) as it is. */
export function rngOf(op: string, seedOrRng: number | Rng): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  if (!Number.isSafeInteger(seedOrRng)) fail(`${op}: shuffle must be a seed (a safe integer) or an Rng, got ${String(seedOrRng)}.`);
  return createRng(seedOrRng);
}
