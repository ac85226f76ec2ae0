import { describe, expect, it } from 'vitest';
import { constant, cosineDecay, exponential, join, linear, piecewise, scheduleValues, warmupCosine } from '../src/index.js';
import { backend } from './helpers.js';

const steps = Array.from({ length: 25 }, (_, i) => i);

async function expectSchedule(values: Promise<number[]>, host: (t: number) => number, tol = 1e-14): Promise<void> {
  const got = await values;
  got.forEach((v, i) => expect(Math.abs(v - host(steps[i]!)), `step ${steps[i]}: ${v} vs ${host(steps[i]!)}`).toBeLessThanOrEqual(tol));
}

const cosine = (init: number, n: number, alpha: number) => (t: number) => init * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, n)) / n)) + alpha);

describe('schedules (on the device, compared with host formulas)', () => {
  it('constant', () => expectSchedule(scheduleValues(constant(0.3), backend, steps), () => 0.3));
  it('linear with a delayed start', () =>
    expectSchedule(scheduleValues(linear({ init: 1, end: 0.2, steps: 10, begin: 5 }), backend, steps), (t) => 1 + (0.2 - 1) * Math.min(Math.max((t - 5) / 10, 0), 1)));
  it('cosineDecay matches Math.cos to f64 rounding', () =>
    expectSchedule(scheduleValues(cosineDecay({ init: 2, steps: 20, alpha: 0.1 }), backend, steps), cosine(2, 20, 0.1)));
  it('cosineDecay in f32', async () => {
    const got = await scheduleValues(cosineDecay({ init: 1, steps: 20 }), backend, steps, 'f32');
    got.forEach((v, i) => expect(Math.abs(v - cosine(1, 20, 0)(i))).toBeLessThan(1e-6));
  });
  it('exponential: smooth, staircase, begin and a floor', async () => {
    await expectSchedule(scheduleValues(exponential({ init: 1, rate: 0.5, steps: 4 }), backend, steps), (t) => 0.5 ** (t / 4));
    await expectSchedule(scheduleValues(exponential({ init: 1, rate: 0.5, steps: 4, staircase: true, begin: 2 }), backend, steps), (t) => 0.5 ** Math.floor(Math.max(t - 2, 0) / 4));
    await expectSchedule(scheduleValues(exponential({ init: 1, rate: 0.5, steps: 4, end: 0.1 }), backend, steps), (t) => Math.max(0.5 ** (t / 4), 0.1));
  });
  it('warmupCosine: linear warm-up then cosine to end, as Optax', () =>
    expectSchedule(scheduleValues(warmupCosine({ init: 0, peak: 1, warmupSteps: 5, decaySteps: 20, end: 0.1 }), backend, steps), (t) =>
      t < 5 ? t / 5 : cosine(1, 15, 0.1)(t - 5),
    ));
  it('piecewise constant', () =>
    expectSchedule(scheduleValues(piecewise([3, 10], [1, 0.5, 0.25]), backend, steps), (t) => (t < 3 ? 1 : t < 10 ? 0.5 : 0.25)));
  it('join shifts the count for later schedules', () =>
    expectSchedule(scheduleValues(join([constant(1), linear({ init: 1, end: 0, steps: 10 })], [4]), backend, steps), (t) => (t < 4 ? 1 : Math.max(1 - (t - 4) / 10, 0))));
  it('frees what it makes', async () => {
    const before = backend.stats().liveHandles;
    await scheduleValues(warmupCosine({ peak: 1, warmupSteps: 3, decaySteps: 9 }), backend, steps);
    expect(backend.stats().liveHandles).toBe(before);
  });
  it('rejects negative values and bad steps with sentences', () => {
    expect(() => constant(-1)).toThrow(/constant: value must be a non-negative finite number, got -1; learning rates are never negative/);
    expect(() => linear({ init: 1, end: -0.1, steps: 3 })).toThrow(/linear: end must be a non-negative/);
    expect(() => cosineDecay({ init: 1, steps: 0 })).toThrow(/cosineDecay: steps must be a positive integer, got 0/);
    expect(() => warmupCosine({ peak: 1, warmupSteps: 10, decaySteps: 5 })).toThrow(/decaySteps \(5\) must be an integer larger than warmupSteps \(10\)/);
    expect(() => piecewise([3, 2], [1, 1, 1])).toThrow(/boundaries must be increasing/);
    expect(() => join([constant(1)], [3])).toThrow(/needs one more schedule than boundaries/);
  });
});
