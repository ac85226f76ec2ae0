// The conformance suite's host-side layouts must describe the same logical array every time.
import { createRng, sizeOf, type Shape } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { draw, LAYOUTS, layoutApplies, makeOperand, materialize } from '../src/internal/operands.ts';

const SHAPES: readonly Shape[] = [[], [0], [1], [7], [3, 5], [2, 3, 4], [2, 0, 3], [4, 1, 65]];

describe('makeOperand', () => {
  for (const shape of SHAPES)
    for (const layout of LAYOUTS) {
      if (!layoutApplies(layout, shape)) continue;
      it(`${layout} [${shape.join(', ')}] shows its logical values through its strides`, () => {
        const rng = createRng(1);
        const op = makeOperand(shape, 'f64', layout, (n) => rng.normalArray(n));
        expect(op.values).toHaveLength(sizeOf(shape));
        expect(Array.from(materialize(op.storage, op.shape, op.strides, op.offset))).toEqual(Array.from(op.values));
        expect(op.storage).toHaveLength(sizeOf(op.storageShape));
        if (layout === 'expanded') expect(op.strides).toContain(0);
        if (layout === 'offset') expect(op.offset).toBeGreaterThan(0);
      });
    }

  it('knows which layouts apply', () => {
    expect(layoutApplies('permuted', [7])).toBe(false);
    expect(layoutApplies('strided', [])).toBe(false);
    expect(layoutApplies('expanded', [1, 1])).toBe(false);
    expect(layoutApplies('expanded', [1, 2])).toBe(true);
  });
});

describe('draw', () => {
  it('returns values representable in the dtype, inside the domain', () => {
    const rng = createRng(2);
    expect(Array.from(draw(rng, 100, 'f32', 'any')).every((v) => Math.fround(v) === v)).toBe(true);
    expect(Array.from(draw(rng, 100, 'i32', 'any')).every((v) => Number.isInteger(v))).toBe(true);
    expect(Array.from(draw(rng, 100, 'bool', 'any')).every((v) => v === 0 || v === 1)).toBe(true);
    expect(Array.from(draw(rng, 100, 'f64', 'positive')).every((v) => v > 0)).toBe(true);
    expect(Array.from(draw(rng, 100, 'f64', 'nonzero')).every((v) => Math.abs(v) >= 0.5)).toBe(true);
    expect(new Set(draw(rng, 100, 'f64', 'ties')).size).toBeLessThanOrEqual(5);
  });
});
