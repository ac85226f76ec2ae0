import { fail } from '@rnnkit/tensor';

/** A stretch of a long sequence: run steps [start, end), count the loss on [lossStart, end). */
export interface Window {
  readonly start: number;
  readonly end: number;
  readonly lossStart: number;
}

/**
 * Truncated BPTT windows (Williams & Peng's BPTT(k1, k2)): an update every k1 steps, each
 * backpropagating k2 steps (k2 a multiple of k1; k1 = k2 is the common case). The loss of the
 * newest k1 steps is counted; the older k2 − k1 steps are rerun only to carry gradient further back.
 */
export function truncatedWindows(length: number, k1: number, k2 = k1): Window[] {
  if (!Number.isInteger(length) || length < 1) fail(`truncatedWindows: length must be a positive integer, got ${length}.`);
  if (!Number.isInteger(k1) || k1 < 1) fail(`truncatedWindows: k1 must be a positive integer, got ${k1}.`);
  if (!Number.isInteger(k2) || k2 < k1 || k2 % k1 !== 0) fail(`truncatedWindows: k2 must be a multiple of k1 and at least k1, got k1 = ${k1}, k2 = ${k2}.`);
  const out: Window[] = [];
  for (let lossStart = 0; lossStart < length; lossStart += k1) {
    const end = Math.min(length, lossStart + k1);
    out.push({ start: Math.max(0, end - k2, lossStart - (k2 - k1)), end, lossStart });
  }
  return out;
}

/** Consecutive segments of `size` steps covering [0, length) (the last may be shorter). */
export function segments(length: number, size: number): Window[] {
  if (!Number.isInteger(size) || size < 1) fail(`segments: size must be a positive integer, got ${size}.`);
  const out: Window[] = [];
  for (let start = 0; start < length; start += size) out.push({ start, end: Math.min(length, start + size), lossStart: start });
  return out;
}
