import { add, lt, scalar, where, type Tensor } from '@rnnkit/tensor';

const I32_MAX = 2 ** 31 - 1;

/** A 0-d i32 step counter on the backend of `like`, starting at 0. */
export function zeroCount(like: Tensor): Tensor {
  return scalar(like.backend, 0, 'i32');
}

/** count + 1, saturating at the largest i32 so a very long run never wraps to a negative step. */
export function increment(count: Tensor): Tensor {
  return where(lt(count, I32_MAX), add(count, 1), count);
}
