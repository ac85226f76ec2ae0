// Golden-fixture files (JSON written by tools/fixtures/*.py): loading, tensors from their arrays,
// and the tolerance comparison of named results. Nothing here knows a cell or a scan.
import { readFileSync } from 'node:fs';
import { tensor, type Backend, type DType, type Tensor } from '@rnnkit/tensor';
import { expect } from 'vitest';
import { expectClose, type Tolerance } from './tolerance.js';

/** One array of a fixture file: row-major `data` of the given `shape`. */
export interface FixtureArray {
  readonly shape: number[];
  readonly data: number[];
}

/** How a fixture file names itself in errors. */
export interface FixtureFileOptions {
  /** Prefix of every error, e.g. 'rnn fixtures'. */
  readonly label: string;
  /** The command that (re)generates the file, e.g. 'python3 tools/fixtures/rnn.py'. */
  readonly generator: string;
}

const SPECIAL: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * `JSON.parse` for fixture files: inside arrays, the strings "NaN", "Infinity" and "-Infinity"
 * (how Python's json writers spell values JSON lacks) become those numbers.
 */
export function decodeFixtureJson<T>(text: string): T {
  return JSON.parse(text, function (this: unknown, _key, value: unknown) {
    return Array.isArray(this) && typeof value === 'string' && value in SPECIAL ? SPECIAL[value] : value;
  }) as T;
}

/**
 * The `cases` of a fixture file `{ "cases": [...] }`, decoded by `decodeFixtureJson`. A missing
 * file, or one without cases, throws (naming the file and how to generate it), so the test file
 * that loads it fails instead of silently skipping. The cases are not validated beyond that.
 */
export function loadFixtureFile<C>(url: URL, options: FixtureFileOptions): C[] {
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch (e) {
    throw new Error(`${options.label}: cannot read ${url.pathname}; generate it with \`${options.generator}\`.`, { cause: e });
  }
  const cases = decodeFixtureJson<{ cases?: C[] }>(text).cases;
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`${options.label}: ${url.pathname} holds no cases.`);
  return cases;
}

/** A new tensor on `backend` holding a fixture array, in `dtype`. */
export function fixtureTensor(backend: Backend, entry: FixtureArray, dtype: DType): Tensor {
  return tensor(backend, entry.data, entry.shape, dtype);
}

/** Rows `start` ≤ k < `end` of a fixture array along its first axis, shape [end − start, …rest]. */
export function fixtureRows(entry: FixtureArray, start: number, end: number): FixtureArray {
  const [, ...rest] = entry.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return { shape: [end - start, ...rest], data: entry.data.slice(start * size, end * size) };
}

/** Row `k` of a fixture array along its first axis, shape […rest] (e.g. entry k of a [L·D, B, H] state). */
export function fixtureRow(entry: FixtureArray, k: number): FixtureArray {
  const rows = fixtureRows(entry, k, k + 1);
  return { shape: rows.shape.slice(1), data: rows.data };
}

/**
 * Asserts a result against its fixture under the tolerance of `dtype` (docs/conventions.md), and
 * that the result is in `dtype`. One tensor: its shape must be `want.shape`. Several tensors:
 * their data, concatenated in order, is compared with `want.data` (e.g. per-layer states against
 * PyTorch's stacked [L·D, B, H]).
 */
export function expectFixtureClose(label: string, actual: Tensor | readonly Tensor[], want: FixtureArray, dtype: DType): void {
  if (isTensorList(actual)) {
    for (const t of actual) expect(t.dtype, `${label}: dtype`).toBe(dtype);
    expectClose(actual.flatMap((t) => Array.from(t.readSync())), want.data, dtype, label);
    return;
  }
  expect([...actual.shape], `${label}: shape`).toEqual(want.shape);
  expect(actual.dtype, `${label}: dtype`).toBe(dtype);
  expectClose(actual.readSync(), want.data, dtype, label);
}

function isTensorList(t: Tensor | readonly Tensor[]): t is readonly Tensor[] {
  return Array.isArray(t);
}

/**
 * Asserts two sets of named results (outputs, gradients, as host numbers) hold the same names and
 * agree name by name under `tol`. Failures read `${label}: ${nameOf(name)}`.
 */
export function expectNamedClose(
  actual: Readonly<Record<string, ArrayLike<number>>>,
  expected: Readonly<Record<string, ArrayLike<number>>>,
  tol: DType | Tolerance,
  label: string,
  nameOf: (name: string) => string = (name) => name,
): void {
  expect(Object.keys(actual).sort(), `${label}: the same results`).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) expectClose(actual[name]!, want, tol, `${label}: ${nameOf(name)}`);
}
