import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from '@rnnkit/io';
import { rnnkit } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnkit-train-'));
const small = ['--backend', 'cpu', '--hidden', '32', '--batch', '4', '--embedding', '16', '--sample-length', '40', '--eval-every', '10', '--sample-every', '1000', '--checkpoint-every', '1000'];

// Parameter, optimiser and carried-state bytes of a checkpoint, by tensor name.
function tensorBytes(path: string): Map<string, string> {
  const { tensors } = decodeSafetensors(readFileSync(path));
  return new Map([...tensors].map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]));
}

describe('rnnkit train', () => {
  it('trains on the bundled dataset, samples, and writes a checkpoint, a sample and an HTML report (the main job, shortened)', () => {
    const out = join(dir, 'main');
    const r = rnnkit(['train', ...small, '--steps', '12', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Moby-Dick \(bundled\)/);
    expect(r.stderr).toMatch(/words: \d+(\.\d)? % of the \d+ alphabetic tokens/);
    for (const f of ['checkpoint.safetensors', 'sample.txt', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<svg[^>]*>[\s\S]*<path d="M/);
    expect(html).not.toMatch(/(src|href)="https?:/);
    const s = rnnkit(['sample', join(out, 'checkpoint.safetensors'), '--backend', 'cpu', '--length', '30', '--prime', 'Call me ']);
    expect(s.code).toBe(0);
    expect(s.stdout.startsWith('Call me ')).toBe(true);
    expect(s.stdout.trimEnd().length).toBeGreaterThanOrEqual(30);
    const info = rnnkit(['info', join(out, 'checkpoint.safetensors')]);
    expect(info.stdout).toMatch(/char-lm/);
  }, 120_000);

  it('--threads 2 on the wasm backend trains bit for bit as --threads 1 (its matrix products are split, not changed)', () => {
    const wasm = ['--backend', 'wasm', '--hidden', '128', '--batch', '32', '--embedding', '16', '--sample-length', '20', '--eval-every', '1000', '--sample-every', '1000', '--steps', '3'];
    const [one, two] = [join(dir, 'threads-1'), join(dir, 'threads-2')];
    expect(rnnkit(['train', ...wasm, '--threads', '1', '--out', one]).code).toBe(0);
    const r = rnnkit(['train', ...wasm, '--threads', '2', '--out', two]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/backend wasm \(2 threads\)/);
    const [a, b] = [tensorBytes(join(one, 'checkpoint.safetensors')), tensorBytes(join(two, 'checkpoint.safetensors'))];
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect([...a.keys()].filter((k) => a.get(k) !== b.get(k))).toEqual([]);
  }, 120_000);

  it('resumes bit for bit under truncated BPTT: 40 steps equal 20 + --resume 20', () => {
    const a = join(dir, 'straight');
    const b = join(dir, 'resumed');
    const tb = [...small, '--tbptt', '20'];
    expect(rnnkit(['train', ...tb, '--steps', '40', '--out', a]).code).toBe(0);
    expect(rnnkit(['train', ...tb, '--steps', '20', '--out', b]).code).toBe(0);
    const r = rnnkit(['train', ...tb, '--steps', '20', '--resume', '--out', b]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/resuming at step 20/);
    const x = tensorBytes(join(a, 'checkpoint.safetensors'));
    const y = tensorBytes(join(b, 'checkpoint.safetensors'));
    expect([...x.keys()].some((k) => k.startsWith('recurrent_state/'))).toBe(true);
    expect([...y.keys()]).toEqual([...x.keys()]);
    for (const [k, v] of x) expect(y.get(k), k).toBe(v);
  }, 240_000);

  it('rejects a corrupted checkpoint and keeps the previous good one', () => {
    const out = join(dir, 'corrupt');
    expect(rnnkit(['train', ...small, '--steps', '4', '--checkpoint-every', '2', '--out', out]).code).toBe(0);
    const latest = join(out, 'checkpoint.safetensors');
    const previous = join(out, 'checkpoint.previous.safetensors');
    expect(existsSync(previous)).toBe(true);
    const good = readFileSync(previous);
    const bytes = readFileSync(latest);
    writeFileSync(latest, bytes.subarray(0, bytes.length - 100)); // truncated
    const info = rnnkit(['info', latest]);
    expect(info.code).not.toBe(0);
    expect(info.stderr.trim().split('\n').at(-1)).toMatch(/checkpoint\.safetensors/);
    // Resuming falls back to the previous good checkpoint, which is untouched.
    expect(readFileSync(previous).equals(good)).toBe(true);
    const r = rnnkit(['train', ...small, '--steps', '1', '--resume', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/resuming at step 2/);
  }, 120_000);
});

describe('rnnkit forecast', () => {
  it('beats the last-value forecast on the bundled noisy sine by at least 30 % in MSE', () => {
    const out = join(dir, 'sine');
    const csv = new URL('../data/noisy-sine.csv', import.meta.url).pathname;
    expect(rnnkit(['train', csv, '--backend', 'cpu', '--steps', '300', '--out', out], { timeout: 300_000 }).code).toBe(0);
    const r = rnnkit(['forecast', join(out, 'checkpoint.safetensors'), csv, '--backend', 'cpu', '--ahead', '5']);
    expect(r.code).toBe(0);
    const m = /the model is (-?[\d.]+) % better/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(30);
    expect(r.stdout.trim().split('\n').length).toBe(7);
  }, 400_000);
});
