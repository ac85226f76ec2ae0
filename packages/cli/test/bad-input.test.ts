import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnnkit } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnkit-cli-'));

// Each failure is one line on stderr (after any progress output), a non-zero exit, no stack trace.
function expectOneLineError(r: ReturnType<typeof rnnkit>, pattern: RegExp) {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines.at(-1)).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('rnnkit: bad input is a one-line error and a non-zero exit', { timeout: 60_000 }, () => {
  it('missing file', () => expectOneLineError(rnnkit(['train', join(dir, 'nope.txt')]), /^rnnkit: .*nope\.txt: no such file\.$/));

  it('empty file', () => {
    writeFileSync(join(dir, 'empty.txt'), '');
    expectOneLineError(rnnkit(['train', join(dir, 'empty.txt')]), /empty\.txt is empty/);
  });

  it('binary file', () => {
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0xff, 0xfe]));
    expectOneLineError(rnnkit(['train', join(dir, 'blob.bin')]), /looks like a binary file/);
  });

  it('unknown flag and unknown command', () => {
    expectOneLineError(rnnkit(['train', '--hiden', '3']), /unknown flag '--hiden'/);
    expectOneLineError(rnnkit(['trian']), /unknown command 'trian'/);
    expectOneLineError(rnnkit(['train', '--hidden', 'lots']), /--hidden must be a number, got 'lots'/);
    expectOneLineError(rnnkit(['train', '--threads', '0']), /--threads must be an integer ≥ 1 or 'auto', got '0'/);
  });

  it('a CSV with a non-numeric cell names the line and column', () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n3,x\n');
    expectOneLineError(rnnkit(['train', join(dir, 'bad.csv')]), /line 3, column 2 \('b'\) is "x", which is not a number/);
  });

  it('a checkpoint from another model', () => {
    copyFileSync(new URL('../data/noisy-sine.csv', import.meta.url), join(dir, 'sine.csv'));
    const out = join(dir, 'series');
    expect(rnnkit(['train', join(dir, 'sine.csv'), '--backend', 'cpu', '--steps', '2', '--hidden', '4', '--out', out]).code).toBe(0);
    expectOneLineError(rnnkit(['sample', join(out, 'checkpoint.safetensors'), '--backend', 'cpu']), /char-lm/);
    writeFileSync(join(dir, 'junk.safetensors'), 'not a checkpoint at all');
    expectOneLineError(rnnkit(['sample', join(dir, 'junk.safetensors'), '--backend', 'cpu']), /junk\.safetensors/);
  });

  it('--help lists the commands', () => {
    const r = rnnkit(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rnnkit train \[file\]/);
    expect(rnnkit(['train', '--help']).stdout).toMatch(/--tbptt K/);
  });
});
