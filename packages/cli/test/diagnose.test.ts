import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnnkit } from './run-cli.js';

describe('rnnkit diagnostics', () => {
  it('train --diagnose writes the probes’ report; diagnose <checkpoint> runs them on a saved model', () => {
    const out = mkdtempSync(join(tmpdir(), 'rnnkit-diag-'));
    const r = rnnkit(['train', '--backend', 'cpu', '--steps', '4', '--hidden', '16', '--batch', '4', '--seq-len', '20', '--sample-length', '10', '--diagnose', '--diagnose-every', '2', '--out', out]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'diagnostics.json'), 'utf8')) as { format: string; trainingSteps: number; probes: Record<string, { kind: string }> };
    expect(report.format).toBe('rnnkit-diagnostics');
    expect(report.trainingSteps).toBe(4);
    expect(Object.keys(report.probes)).toEqual(expect.arrayContaining(['stateGradNorms', 'stateJacobian', 'gateSaturation', 'gradientClip', 'nonFinite']));
    const html = readFileSync(join(out, 'diagnostics.html'), 'utf8');
    expect(html).toMatch(/<svg/);
    expect(html).not.toMatch(/(src|href)="https?:/);

    const d = rnnkit(['diagnose', join(out, 'checkpoint.safetensors'), '--backend', 'cpu', '--batch', '2', '--seq-len', '24', '--out', join(out, 'saved')]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/gradient through time: layer 0 forward: (vanishing|stable|exploding)/);
    expect(existsSync(join(out, 'saved', 'diagnostics.html'))).toBe(true);
  }, 180_000);
});
