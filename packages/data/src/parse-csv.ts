import { fail } from '@rnnkit/tensor';

/** Options of `parseCsv`. */
export interface CsvOptions {
  /** Columns to keep, by header name or 0-based index, in this order (default all). */
  readonly columns?: readonly (string | number)[];
  /** Whether the first line names the columns; 'auto' (default): yes when any of its cells is not a number. */
  readonly header?: boolean | 'auto';
  /** The cell separator (default ','). */
  readonly delimiter?: string;
  /** Named in error messages, e.g. the file name. */
  readonly source?: string;
  /** An empty cell is an error (default) or NaN. */
  readonly missing?: 'error' | 'nan';
}

/** Numeric columns of a CSV file, on the host. */
export interface CsvTable {
  /** Names of the kept columns (from the header, or 'column 1', 'column 2', … without one). */
  readonly columns: readonly string[];
  /** The numbers, row-major [rows, numColumns]. */
  readonly values: Float64Array;
  readonly rows: number;
  readonly numColumns: number;
  /** One column's values, by name or index among the kept columns. */
  column(which: string | number): Float64Array;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

function parseNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (NUMBER.test(s)) return Number(s);
  return SPECIAL[s.toLowerCase()];
}

interface Row {
  readonly cells: string[];
  /** 1-based line where the row starts. */
  readonly line: number;
}

// RFC 4180: quoted cells may hold the delimiter, newlines and doubled quotes.
function splitRows(text: string, delimiter: string, where: string): Row[] {
  const rows: Row[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let quoteLine = 0;
  const endRow = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0]!.trim() === '')) rows.push({ cells, line: rowLine });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      quoteLine = line;
      cell = '';
    } else if (text.startsWith(delimiter, i)) {
      cells.push(cell);
      cell = '';
      i += delimiter.length - 1;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) fail(`parseCsv: ${where}line ${quoteLine} opens a quoted cell that is never closed.`);
  endRow();
  return rows;
}

/**
 * Parses CSV text into numeric columns. A cell that is not a number fails with its line and
 * column (number and name), so a user can find it; so does a row with the wrong number of cells.
 * Numbers may use exponents; `nan`, `inf` and `-inf` (any case) are accepted. Blank lines are
 * skipped; quoted cells (RFC 4180) are understood.
 *
 * @example
 * const table = parseCsv('t,load\n0,1.5\n1,2.25\n', { columns: ['load'], source: 'load.csv' });
 * table.values; // Float64Array [1.5, 2.25], [rows, 1]
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const { delimiter = ',', header = 'auto', missing = 'error', source } = options;
  const where = source ? `${source}: ` : '';
  if (typeof text !== 'string') fail(`parseCsv: text must be a string, got ${typeof text}.`);
  if (delimiter === '' || delimiter === '"' || /[\r\n]/.test(delimiter)) fail(`parseCsv: delimiter ${JSON.stringify(delimiter)} cannot separate cells; use ',', ';' or '\\t'.`);
  if (missing !== 'error' && missing !== 'nan') fail(`parseCsv: missing must be 'error' or 'nan', got ${JSON.stringify(missing)}.`);
  const rows = splitRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delimiter, where);
  if (rows.length === 0) fail(`parseCsv: ${where}the file is empty; it needs at least one row of numbers.`);
  const first = rows[0]!;
  const hasHeader = header === 'auto' ? first.cells.some((c) => parseNumber(c) === undefined) : header;
  const width = first.cells.length;
  const names = hasHeader ? first.cells.map((c) => c.trim()) : Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length === 0) fail(`parseCsv: ${where}the file has a header but no rows of numbers.`);

  const picked = (options.columns ?? names.map((_, i) => i)).map((c) => {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0 || c >= width) fail(`parseCsv: ${where}column index ${c} is outside [0, ${width}); the file has ${width} columns.`);
      return c;
    }
    const i = names.indexOf(c);
    if (i < 0) fail(`parseCsv: ${where}there is no column '${c}'${hasHeader ? `; the columns are ${names.map((n) => `'${n}'`).join(', ')}` : ' (the file has no header; pick columns by index)'}.`);
    return i;
  });
  if (picked.length === 0) fail(`parseCsv: ${where}columns is empty; pick at least one column.`);

  const C = picked.length;
  const values = new Float64Array(body.length * C);
  body.forEach((row, r) => {
    if (row.cells.length !== width) fail(`parseCsv: ${where}line ${row.line} has ${row.cells.length} cells, but the ${hasHeader ? 'header' : 'first row'} has ${width}.`);
    picked.forEach((col, j) => {
      const cell = row.cells[col]!;
      const at = () => `line ${row.line}, column ${col + 1}${hasHeader ? ` ('${names[col]}')` : ''}`;
      if (cell.trim() === '') {
        if (missing === 'nan') {
          values[r * C + j] = NaN;
          return;
        }
        fail(`parseCsv: ${where}${at()} is empty; fill it in, or pass missing: 'nan'.`);
      }
      const v = parseNumber(cell);
      if (v === undefined) fail(`parseCsv: ${where}${at()} is ${JSON.stringify(cell.trim())}, which is not a number.`);
      values[r * C + j] = v;
    });
  });
  const columns = picked.map((i) => names[i]!);
  return {
    columns,
    values,
    rows: body.length,
    numColumns: C,
    column(which) {
      const j = typeof which === 'number' ? which : columns.indexOf(which);
      if (!Number.isInteger(j) || j < 0 || j >= C) fail(`CsvTable.column: no column ${JSON.stringify(which)}; the columns are ${columns.map((n) => `'${n}'`).join(', ')}.`);
      return values.filter((_, i) => i % C === j);
    },
  };
}
