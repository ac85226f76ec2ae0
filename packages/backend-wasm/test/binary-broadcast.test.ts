import { binary, broadcastShapes, sizeOf, tensor, type BinaryOp, type DType, type Shape } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../src/index.js';

// The fast paths of binary (a bias row tiled over rows, a per-row value repeated along the row, either
// operand being the broadcast one) against a plain broadcasting loop.

function values(n: number, seed: number, dtype: DType): number[] {
  return Array.from({ length: n }, (_, i) => {
    const v = Math.sin(seed * 7.1 + i * 1.3) * 3;
    // Keep divisors away from 0; integers for i32.
    const w = Math.abs(v) < 0.25 ? v + 0.5 : v;
    return dtype === 'i32' ? Math.round(w * 3) || 1 : w;
  });
}

function expected(op: BinaryOp, a: number[], as: Shape, b: number[], bs: Shape, dtype: DType): number[] {
  const shape = broadcastShapes(op, as, bs);
  const at = (data: number[], s: Shape, idx: number[]) => {
    let off = 0;
    const lead = shape.length - s.length;
    for (let i = 0; i < s.length; i++) off = off * s[i]! + (s[i] === 1 ? 0 : idx[i + lead]!);
    return data[off]!;
  };
  const f: Record<string, (x: number, y: number) => number> = {
    add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => (dtype === 'i32' ? Math.imul(x, y) : x * y),
    div: (x, y) => (dtype === 'i32' ? Math.trunc(x / y) : x / y), maximum: Math.max, minimum: Math.min, pow: (x, y) => Math.pow(Math.abs(x), y),
  };
  const out: number[] = [];
  const n = sizeOf(shape);
  for (let k = 0; k < n; k++) {
    const idx: number[] = [];
    let r = k;
    for (let i = shape.length - 1; i >= 0; i--) {
      idx[i] = r % shape[i]!;
      r = Math.floor(r / shape[i]!);
    }
    out.push(f[op]!(at(a, as, idx), at(b, bs, idx)));
  }
  return out;
}

const CASES: { name: string; a: Shape; b: Shape }[] = [
  { name: 'bias row tiled (b broadcast over leading axes)', a: [3, 4, 5], b: [5] },
  { name: 'bias row tiled, a the broadcast side', a: [5], b: [3, 4, 5] },
  { name: 'per-row value repeated (x − max keepDims)', a: [6, 7], b: [6, 1] },
  { name: 'per-row value repeated, a the broadcast side', a: [6, 1], b: [6, 7] },
  { name: 'block of trailing axes tiled', a: [2, 3, 4], b: [3, 4] },
  { name: 'repeat over two trailing axes', a: [2, 3, 4], b: [2, 1, 1] },
  { name: 'scalar', a: [4, 3], b: [] },
  { name: 'scalar, a the broadcast side', a: [], b: [4, 3] },
];

describe('wasm binary broadcast fast paths', () => {
  const be = createWasmBackend({ simd: 'none' });
  for (const dtype of ['f32', 'f64', 'i32'] as const) {
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum'] as const) {
      for (const c of CASES) {
        it(`${dtype} ${op}: ${c.name}`, async () => {
          const av = values(sizeOf(c.a), 1, dtype);
          const bv = values(sizeOf(c.b), 2, dtype);
          const a = tensor(be, av, c.a, dtype);
          const b = tensor(be, bv, c.b, dtype);
          const y = binary(op, a, b);
          try {
            expect(y.shape).toEqual(broadcastShapes(op, c.a, c.b));
            const want = expected(op, av.map((x) => (dtype === 'f32' ? Math.fround(x) : x)), c.a, bv.map((x) => (dtype === 'f32' ? Math.fround(x) : x)), c.b, dtype);
            expectClose(await y.read(), want, dtype === 'i32' ? 'i32' : { rtol: dtype === 'f32' ? 1e-6 : 1e-14, atol: 0 }, `${dtype} ${op} ${c.name}`);
          } finally {
            for (const t of [a, b, y]) t.dispose();
          }
        });
      }
    }
  }
});
