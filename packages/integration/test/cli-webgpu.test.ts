// `rnnkit train --backend webgpu` end to end: the CLI from source (tsx, as packages/cli's own tests
// run it) trains on Dawn's adapter (SwiftShader in CI), writes its checkpoint, sample and report,
// and says that the adapter is a software one; `rnnkit sample --backend webgpu` then reads the
// checkpoint back. Without a Vulkan driver for Dawn it skips, saying why (with CI=true it fails).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors } from '@rnnkit/io';
import { afterAll, describe, expect, it } from 'vitest';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CI = process.env.CI === 'true';
const cli = fileURLToPath(new URL('../../cli', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const icd = process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD;
const dir = mkdtempSync(join(tmpdir(), 'rnnkit-cli-webgpu-'));

function rnnkit(args: string[]) {
  const r = spawnSync(tsx, ['--conditions=@rnnkit/source', 'src/cli.ts', ...args], {
    cwd: cli,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, FORCE_COLOR: '0', VK_ICD_FILENAMES: icd },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rnnkit train --backend webgpu', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains a small LSTM on WebGPU, writes checkpoint, sample and report, and samples from the checkpoint on WebGPU', (ctx) => {
    if (!existsSync(icd)) {
      const why = `no Vulkan driver for Dawn: ${icd} is missing (apt-get install chromium libvulkan1)`;
      if (CI) throw new Error(why);
      ctx.skip(why);
    }
    const out = join(dir, 'run');
    const r = rnnkit(['train', '--backend', 'webgpu', '--steps', '4', '--hidden', '16', '--embedding', '8', '--batch', '2', '--seq-len', '8', '--sample-length', '20', '--out', out]);
    expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/backend webgpu \(/);
    if (/swiftshader/i.test(r.stderr)) expect(r.stderr, 'a software adapter is named as such').toMatch(/software/);
    for (const f of ['checkpoint.safetensors', 'sample.txt', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const { tensors } = decodeSafetensors(readFileSync(join(out, 'checkpoint.safetensors')));
    expect(tensors.size).toBeGreaterThan(0);
    for (const [name, t] of tensors) {
      if (t.dtype === 'f32' || t.dtype === 'f64') expect(Array.from(t.data as ArrayLike<number>).every(Number.isFinite), `${name} finite`).toBe(true);
    }
    expect(readFileSync(join(out, 'sample.txt'), 'utf8').length).toBeGreaterThan(0);
    const s = rnnkit(['sample', join(out, 'checkpoint.safetensors'), '--backend', 'webgpu', '--length', '24', '--prime', 'Call me ']);
    expect(s.code, `sample exit code; stderr:\n${s.stderr}`).toBe(0);
    expect(s.stdout.startsWith('Call me ')).toBe(true);
  }, 300_000);
});
