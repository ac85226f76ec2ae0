// Shared test helpers: fixtures (a missing one fails the test), the CPU backend, host permutes.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, tensor, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { recurrentOf, stackFromParams, type RecurrentSpec, type RecurrentStack } from '../src/index.js';

export const backend = createCpuBackend();
const root = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A fixture's path; throws (so the test fails) when it is missing — regenerate with tools/fixtures. */
export function fixturePath(rel: string): string {
  const p = join(root, rel);
  if (!existsSync(p)) throw new Error(`missing fixture ${rel}: regenerate it with the generators in tools/fixtures (see docs/interop.md)`);
  return p;
}

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(rel)));
}

export function fixtureJson<T = Record<string, unknown>>(rel: string): T {
  return JSON.parse(readFileSync(fixturePath(rel), 'utf8')) as T;
}

export interface ArrayJson {
  readonly shape: number[];
  readonly data: number[];
}

export function f32(a: ArrayJson): Tensor {
  return tensor(backend, Float32Array.from(a.data), a.shape, 'f32');
}

export function i32(a: ArrayJson): Tensor {
  return tensor(backend, Int32Array.from(a.data), a.shape, 'i32');
}

/** Permutes a row-major array of `shape` by `perm` (result axis k is input axis perm[k]). */
export function permute(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): { data: Float64Array; shape: number[] } {
  const out = new Float64Array(data.length);
  const outShape = perm.map((p) => shape[p]!);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rem = o;
    for (let k = outShape.length - 1; k >= 0; k--) {
      idx[perm[k]!] = rem % outShape[k]!;
      rem = Math.floor(rem / outShape[k]!);
    }
    out[o] = data[idx.reduce((a, v, i) => a + v * strides[i]!, 0)]!;
  }
  return { data: out, shape: outShape };
}

/** A stack with rnnkit's own initialisation (what a user trains), read to the host. */
export function randomStack(spec: RecurrentSpec, seed = 1): RecurrentStack {
  const rec = recurrentOf(spec);
  const params = rec.init(createRng(seed), backend);
  return stackFromParams(spec, params);
}
