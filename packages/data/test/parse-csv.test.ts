import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/index.js';

describe('parseCsv', () => {
  it('reads a header and numbers, and picks columns by name or index', () => {
    const t = parseCsv('t,load,temp\n0,1.5,-2e1\n1,2.25,inf\n\n2,3,NaN\n');
    expect(t.columns).toEqual(['t', 'load', 'temp']);
    expect(t.rows).toBe(3);
    expect(Array.from(t.column('load'))).toEqual([1.5, 2.25, 3]);
    expect(t.column(2)[1]).toBe(Infinity);
    expect(Number.isNaN(t.column('temp')[2])).toBe(true);
    const p = parseCsv('t,load,temp\n0,1.5,3\n1,2.25,4\n', { columns: ['temp', 0] });
    expect(p.columns).toEqual(['temp', 't']);
    expect(Array.from(p.values)).toEqual([3, 0, 4, 1]);
  });
  it('detects a file without a header, handles CRLF, BOM, quotes and another delimiter', () => {
    const t = parseCsv('\uFEFF1;"2.5"\r\n3;4\r\n', { delimiter: ';', missing: 'nan' });
    expect(t.columns).toEqual(['column 1', 'column 2']);
    expect(t.rows).toBe(2);
    expect(Array.from(t.values)).toEqual([1, 2.5, 3, 4]);
    expect(() => parseCsv('"a\nb",c\n"1"",2\n')).toThrow(/line 3 opens a quoted cell that is never closed/);
  });
  it('names the line and column of a cell that is not a number', () => {
    const text = 'time,price\n0,1\n1,abc\n';
    expect(() => parseCsv(text, { source: 'prices.csv' })).toThrow(RnnkitError);
    expect(() => parseCsv(text, { source: 'prices.csv' })).toThrow("parseCsv: prices.csv: line 3, column 2 ('price') is \"abc\", which is not a number.");
    expect(() => parseCsv('1,2\n3,\n')).toThrow(/line 2, column 2 is empty; fill it in, or pass missing: 'nan'/);
    expect(Number.isNaN(parseCsv('1,2\n3,\n', { missing: 'nan' }).values[3])).toBe(true);
  });
  it('names ragged rows, unknown columns and empty files', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow(/line 3 has 1 cells, but the header has 2/);
    expect(() => parseCsv('a,b\n1,2\n', { columns: ['c'] })).toThrow(/there is no column 'c'; the columns are 'a', 'b'/);
    expect(() => parseCsv('\n\n')).toThrow(/the file is empty/);
    expect(() => parseCsv('a,b\n')).toThrow(/has a header but no rows/);
  });
});
