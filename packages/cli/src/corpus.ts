import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-error.js';

/** The bundled default dataset (Moby-Dick, public domain; see data/SOURCE.md). */
export const DEFAULT_CORPUS = fileURLToPath(new URL('../data/moby-dick.txt', import.meta.url));

/** Reads a UTF-8 text file for training; missing, empty and binary files are one-line errors. */
export function readTextFile(path: string): string {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path} is a directory; give a text or CSV file.`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${path}: no such file.` : `${path}: cannot read it (${code ?? String(e)}).`);
  }
  if (bytes.length === 0) throw new CliError(`${path} is empty; give a file with some text in it.`);
  if (looksBinary(bytes)) throw new CliError(`${path} looks like a binary file (NUL bytes or invalid UTF-8); give a UTF-8 text or CSV file.`);
  return bytes.toString('utf8');
}

// NUL bytes, or many bytes that are not valid UTF-8, mean this is not text.
function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 65536);
  if (head.includes(0)) return true;
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const bad = (decoded.match(/\uFFFD/g) ?? []).length;
  return bad > Math.max(8, decoded.length / 100);
}
