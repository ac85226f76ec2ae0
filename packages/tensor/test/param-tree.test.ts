import { describe, expect, it } from 'vitest';
import { treeFlatten, treeMap } from '../src/index.js';
import type { ParamTree } from '../src/index.js';

describe('parameter trees', () => {
  it('refuses a string or number where a tensor or container belongs, naming its path (no endless recursion)', () => {
    const bad = { layer: { weight: 'w', steps: 3 } } as unknown as ParamTree;
    expect(() => treeFlatten(bad)).toThrow(/'layer\.weight' is a string \(w\)/);
    expect(() => treeMap(bad, (t) => t)).toThrow(/'layer\.weight' is a string/);
    expect(() => treeFlatten(null as unknown as ParamTree)).toThrow(/the root is null/);
  });

  it('flattens nested objects and arrays with dotted paths, skipping undefined entries', () => {
    expect(treeFlatten({ a: [], b: { c: undefined } })).toEqual([]);
  });
});
