import { describe, expect, it } from 'vitest';
import { bytesPerElement, dtypeOfArray, isFloat, toTypedArray } from '../src/dtype.js';

describe('dtypes', () => {
  it('maps each dtype to its storage', () => {
    expect(toTypedArray('f32', [1.5])).toBeInstanceOf(Float32Array);
    expect(toTypedArray('f64', [1.5])).toBeInstanceOf(Float64Array);
    expect(toTypedArray('i32', [1.5])).toBeInstanceOf(Int32Array);
    expect(toTypedArray('bool', [2, 0, true])).toEqual(new Uint8Array([1, 0, 1]));
    expect([bytesPerElement('f64'), bytesPerElement('f32'), bytesPerElement('i32'), bytesPerElement('bool')]).toEqual([8, 4, 4, 1]);
  });

  it('recognises floats and arrays', () => {
    expect(isFloat('f32') && isFloat('f64')).toBe(true);
    expect(isFloat('i32') || isFloat('bool')).toBe(false);
    expect(dtypeOfArray(new Int32Array(1))).toBe('i32');
    expect(dtypeOfArray(new Uint8Array(1))).toBe('bool');
  });
});
