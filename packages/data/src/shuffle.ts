import type { Rng } from '@rnnkit/tensor';
import { rngOf } from './internal/rng-of.js';

/**
 * A shuffled copy of `items` (Fisher–Yates through `Rng.permutation`), the same for the same seed
 * on every platform. Given an `Rng`, it draws from it (so the rng's `state()` records the
 * position); given a number, it uses a fresh `createRng(seed)`. `items` is left alone.
 *
 * For a new order every epoch from one seed, use `rng.fork(\`epoch/${epoch}\`)`: it depends on
 * the seed and the epoch only, so a resumed run shuffles the same way.
 *
 * @example
 * shuffle(['a', 'b', 'c', 'd'], 42); // the same order on every run
 */
export function shuffle<T>(items: readonly T[], seedOrRng: number | Rng): T[] {
  const order = rngOf('shuffle', seedOrRng).permutation(items.length);
  return Array.from(order, (i) => items[i]!);
}
