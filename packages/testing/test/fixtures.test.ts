import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFixtureJson, expectNamedClose, fixtureRow, fixtureRows, loadFixtureFile } from '../src/index.ts';

const OPTIONS = { label: 'demo fixtures', generator: 'python3 tools/fixtures/demo.py' };

function fileWith(text: string): URL {
  const file = join(mkdtempSync(join(tmpdir(), 'rnnkit-fixtures-')), 'demo.json');
  writeFileSync(file, text);
  return pathToFileURL(file);
}

describe('decodeFixtureJson', () => {
  it('turns "NaN" / "Infinity" / "-Infinity" inside arrays into numbers, and nothing else', () => {
    const v = decodeFixtureJson<{ name: string; data: unknown[] }>('{"name": "NaN", "data": [1, "NaN", "Infinity", "-Infinity", "x"]}');
    expect(v.name).toBe('NaN');
    expect(v.data).toEqual([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 'x']);
  });
});

describe('loadFixtureFile', () => {
  it('returns the cases', () => {
    expect(loadFixtureFile<{ n: number }>(fileWith('{"cases": [{"n": 1}, {"n": 2}]}'), OPTIONS)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('fails on a missing file, naming it and its generator', () => {
    const url = new URL('./missing.json', fileWith('{}'));
    expect(() => loadFixtureFile(url, OPTIONS)).toThrow(`demo fixtures: cannot read ${url.pathname}; generate it with \`python3 tools/fixtures/demo.py\`.`);
  });

  it('fails on a file without cases', () => {
    const url = fileWith('{"cases": []}');
    expect(() => loadFixtureFile(url, OPTIONS)).toThrow(`demo fixtures: ${url.pathname} holds no cases.`);
    expect(() => loadFixtureFile(fileWith('{}'), OPTIONS)).toThrow('holds no cases');
  });
});

describe('fixtureRows / fixtureRow', () => {
  const a = { shape: [3, 2, 2], data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
  it('slices along the first axis', () => {
    expect(fixtureRows(a, 1, 3)).toEqual({ shape: [2, 2, 2], data: [4, 5, 6, 7, 8, 9, 10, 11] });
    expect(fixtureRow(a, 2)).toEqual({ shape: [2, 2], data: [8, 9, 10, 11] });
  });
});

describe('expectNamedClose', () => {
  it('needs the same names and close values, labelled by nameOf', () => {
    expect(() => expectNamedClose({ a: [1], b: [2] }, { a: [1], b: [2 + 1e-12] }, 'f64', 'x')).not.toThrow();
    expect(() => expectNamedClose({ a: [1] }, { a: [1], b: [2] }, 'f64', 'x')).toThrow('x: the same results');
    expect(() => expectNamedClose({ a: [1] }, { a: [1.1] }, 'f32', 'x', (k) => `d/d${k}`)).toThrow('x: d/da');
  });
});
