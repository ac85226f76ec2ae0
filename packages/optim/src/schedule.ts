import {
  add, cast, div, fail, ge, isFloat, maximum, minimum, mul, pow, scalar, scope, sub, where, type Backend, type DType, type Tensor,
} from '@rnnkit/tensor';
import { cosPi } from './internal/cos-pi.js';

/**
 * A learning-rate (or any hyperparameter) schedule: `count` is a 0-d float tensor holding the
 * number of updates already applied (0 on the first), and the result is a 0-d tensor of the same
 * dtype. Schedules are tensor programs, so they run on the device inside `update` with no read-back.
 */
export type Schedule = (count: Tensor) => Tensor;

function checkValue(name: string, what: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) fail(`${name}: ${what} must be a non-negative finite number, got ${v}; learning rates are never negative (updates are −lr · direction already).`);
}

function checkSteps(name: string, what: string, v: number, allowZero = false): void {
  if (!Number.isInteger(v) || v < 0 || (v === 0 && !allowZero)) fail(`${name}: ${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}.`);
}

/** The same value at every step. */
export function constant(value: number): Schedule {
  checkValue('constant', 'value', value);
  return (count) => scalar(count.backend, value, count.dtype);
}

export interface LinearOptions {
  readonly init: number;
  readonly end: number;
  /** Steps over which the value moves from init to end. */
  readonly steps: number;
  /** Steps at init before the transition starts (default 0). */
  readonly begin?: number;
}

/** init until `begin`, then a straight line to `end` over `steps` steps, then `end` (Optax's linear_schedule). */
export function linear({ init, end, steps, begin = 0 }: LinearOptions): Schedule {
  checkValue('linear', 'init', init);
  checkValue('linear', 'end', end);
  checkSteps('linear', 'steps', steps);
  checkSteps('linear', 'begin', begin, true);
  return (count) => add(mul(progress(count, begin, steps), end - init), init);
}

// clamp((count − begin) / steps, 0, 1)
function progress(count: Tensor, begin: number, steps: number): Tensor {
  return minimum(maximum(div(sub(count, begin), steps), 0), 1);
}

export interface CosineDecayOptions {
  readonly init: number;
  /** Steps to decay over; afterwards the value stays at alpha · init. */
  readonly steps: number;
  /** Final value as a fraction of init (default 0). */
  readonly alpha?: number;
}

/** init · ((1 − alpha) · ½(1 + cos(π · min(count, steps) / steps)) + alpha), as Optax's cosine_decay_schedule. */
export function cosineDecay({ init, steps, alpha = 0 }: CosineDecayOptions): Schedule {
  checkValue('cosineDecay', 'init', init);
  checkSteps('cosineDecay', 'steps', steps);
  checkValue('cosineDecay', 'alpha', alpha);
  return (count) => {
    const cosine = mul(add(cosPi(progress(count, 0, steps)), 1), 0.5);
    return mul(add(mul(cosine, 1 - alpha), alpha), init);
  };
}

export interface ExponentialOptions {
  readonly init: number;
  /** Multiplied in once every `steps` steps. */
  readonly rate: number;
  readonly steps: number;
  /** Steps at init before decay starts (default 0). */
  readonly begin?: number;
  /** Decay in whole jumps every `steps` steps instead of smoothly (default false). */
  readonly staircase?: boolean;
  /** A bound the value never passes: a floor when rate < 1, a ceiling when rate > 1. */
  readonly end?: number;
}

/** init · rate^((count − begin) / steps) after `begin`, as Optax's exponential_decay. */
export function exponential({ init, rate, steps, begin = 0, staircase = false, end }: ExponentialOptions): Schedule {
  checkValue('exponential', 'init', init);
  checkValue('exponential', 'rate', rate);
  checkSteps('exponential', 'steps', steps);
  checkSteps('exponential', 'begin', begin, true);
  if (end !== undefined) checkValue('exponential', 'end', end);
  return (count) => {
    let p = div(maximum(sub(count, begin), 0), steps);
    // floor of a non-negative number: cast to i32 truncates toward zero.
    if (staircase) p = cast(cast(p, 'i32'), count.dtype);
    const value = mul(pow(rate, p), init);
    if (end === undefined) return value;
    return rate < 1 ? maximum(value, end) : minimum(value, end);
  };
}

export interface WarmupCosineOptions {
  /** Value at step 0 (default 0). */
  readonly init?: number;
  readonly peak: number;
  readonly warmupSteps: number;
  /** Total length including the warm-up, as in Optax's warmup_cosine_decay_schedule. */
  readonly decaySteps: number;
  /** Value at and after `decaySteps` (default 0). */
  readonly end?: number;
}

/** Linear warm-up from init to peak over warmupSteps, then cosine decay to end at decaySteps. */
export function warmupCosine({ init = 0, peak, warmupSteps, decaySteps, end = 0 }: WarmupCosineOptions): Schedule {
  checkValue('warmupCosine', 'peak', peak);
  checkSteps('warmupCosine', 'warmupSteps', warmupSteps, true);
  if (!Number.isInteger(decaySteps) || decaySteps <= warmupSteps)
    fail(`warmupCosine: decaySteps (${decaySteps}) must be an integer larger than warmupSteps (${warmupSteps}); it counts the warm-up too.`);
  const decay = cosineDecay({ init: peak, steps: decaySteps - warmupSteps, alpha: peak === 0 ? 0 : end / peak });
  if (warmupSteps === 0) return decay;
  return join([linear({ init, end: peak, steps: warmupSteps }), decay], [warmupSteps]);
}

/**
 * Constant pieces: values[0] before boundaries[0], values[i] from boundaries[i − 1] on.
 * `piecewise([1000, 2000], [1e-3, 1e-4, 1e-5])`.
 */
export function piecewise(boundaries: readonly number[], values: readonly number[]): Schedule {
  if (values.length !== boundaries.length + 1)
    fail(`piecewise: needs one more value than boundaries, got ${values.length} values for ${boundaries.length} boundaries.`);
  checkBoundaries('piecewise', boundaries);
  values.forEach((v, i) => checkValue('piecewise', `values[${i}]`, v));
  return join(values.map(constant), boundaries);
}

/**
 * Runs schedules one after another: schedules[0] before boundaries[0], then schedules[i] from
 * boundaries[i − 1] on, seeing the count relative to its own start (Optax's join_schedules).
 */
export function join(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length !== boundaries.length + 1)
    fail(`join: needs one more schedule than boundaries, got ${schedules.length} schedules for ${boundaries.length} boundaries.`);
  checkBoundaries('join', boundaries);
  return (count) => {
    let out = schedules[0]!(count);
    boundaries.forEach((b, i) => {
      out = where(ge(count, b), schedules[i + 1]!(sub(count, b)), out);
    });
    return out;
  };
}

function checkBoundaries(name: string, boundaries: readonly number[]): void {
  boundaries.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0 || (i > 0 && b <= boundaries[i - 1]!))
      fail(`${name}: boundaries must be increasing non-negative integers, got [${boundaries.join(', ')}].`);
  });
}

/**
 * The schedule's values at the given steps, read back to the host (for plots, logs and tests;
 * never needed during training).
 */
export async function scheduleValues(schedule: Schedule, backend: Backend, steps: readonly number[], dtype: DType = 'f64'): Promise<number[]> {
  if (!isFloat(dtype)) fail(`scheduleValues: dtype must be f32 or f64, got ${dtype}.`);
  const out: number[] = [];
  for (const step of steps) {
    const [count, value] = scope(() => {
      const c = scalar(backend, step, dtype);
      return [c, schedule(c)] as const;
    });
    out.push(await value.item());
    value.dispose();
    count.dispose();
  }
  return out;
}
