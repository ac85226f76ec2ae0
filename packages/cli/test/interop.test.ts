// rnnkit export / rnnkit import: a trained char model goes to PyTorch safetensors and ONNX and
// comes back with identical parameters and identical samples; the ONNX model runs in
// onnxruntime-node and matches rnnkit's logits; a PyTorch fixture made by torch imports; bad
// files and impossible conversions are one-line errors that name the problem.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { vocabFromJSON, type CharVocab } from '@rnnkit/data';
import { decodeSafetensors, encodeSafetensors, loadCheckpoint, type SafetensorsEntry } from '@rnnkit/io';
import { tensor } from '@rnnkit/tensor';
import { charModel, type CharModelConfig, type CharParams } from '../src/char-model.js';
import { rnnkit } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnkit-interop-'));
const fixtures = fileURLToPath(new URL('../../interop/test/fixtures/', import.meta.url));
const corpus = fileURLToPath(new URL('../data/moby-dick.txt', import.meta.url));
const run = join(dir, 'run');
const checkpoint = join(run, 'checkpoint.safetensors');
const H = 8;
const E = 4;
const SPAWN = 60_000;

type Tensors = ReturnType<typeof decodeSafetensors>['tensors'];

function tensorsOf(path: string): Tensors {
  return decodeSafetensors(readFileSync(path)).tensors;
}

/** The model parameters of a checkpoint (no optimizer/ or recurrent_state/ entries), by name, as hex bytes. */
function paramBytes(path: string): Map<string, { shape: readonly number[]; hex: string }> {
  return new Map(
    [...tensorsOf(path)]
      .filter(([name]) => !name.includes('/'))
      .map(([name, t]) => [name, { shape: [...t.shape], hex: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex') }]),
  );
}

function hex(t: { data: ArrayBufferView }): string {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex');
}

/** A failure the user sees: non-zero exit and exactly one non-empty line on stderr. */
function oneLineError(r: { code: number | null; stderr: string }): string {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

function ok(r: { code: number | null; stdout: string; stderr: string }) {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

let V = 0;

beforeAll(() => {
  ok(rnnkit(['train', '--backend', 'cpu', '--steps', '2', '--hidden', String(H), '--embedding', String(E), '--batch', '2', '--seq-len', '8', '--sample-length', '5', '--out', run]));
  const meta = decodeSafetensors(readFileSync(checkpoint)).metadata;
  V = (JSON.parse(meta['rnnkit.config']!) as CharModelConfig).vocabSize;
}, SPAWN);

describe('rnnkit export', () => {
  it('--to pytorch writes a state dict with torch names (Embedding → LSTM → Linear) and the vocabulary', () => {
    const out = join(dir, 'model.safetensors');
    const r = ok(rnnkit(['export', checkpoint, '--to', 'pytorch', '--out', out]));
    expect(r.stdout).toMatch(/CharLM\(vocab_size=\d+, embedding=4, hidden=8, layers=1, cell='LSTM'\)/);
    const sd = tensorsOf(out);
    expect([...sd.keys()].sort()).toEqual(['embedding.weight', 'head.bias', 'head.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
    expect(decodeSafetensors(readFileSync(out)).metadata['format']).toBe('pt');
    const shapes = Object.fromEntries([...sd].map(([k, t]) => [k, [...t.shape]]));
    expect(shapes).toEqual({
      'embedding.weight': [V, E], 'rnn.weight_ih_l0': [4 * H, E], 'rnn.weight_hh_l0': [4 * H, H], 'rnn.bias_ih_l0': [4 * H], 'rnn.bias_hh_l0': [4 * H],
      'head.weight': [V, H], 'head.bias': [V],
    });
    const ck = tensorsOf(checkpoint);
    const same: [string, string][] = [
      ['embedding.weight', 'embedding.weight'], ['rnn.weight_ih_l0', 'recurrent.layers.0.forward.weight_ih'], ['rnn.weight_hh_l0', 'recurrent.layers.0.forward.weight_hh'],
      ['rnn.bias_ih_l0', 'recurrent.layers.0.forward.bias_ih'], ['rnn.bias_hh_l0', 'recurrent.layers.0.forward.bias_hh'], ['head.weight', 'head.weight'], ['head.bias', 'head.bias'],
    ];
    for (const [torch, ours] of same) expect(hex(sd.get(torch)!), torch).toBe(hex(ck.get(ours)!));
    const vocab = vocabFromJSON(JSON.parse(readFileSync(join(dir, 'model.vocab.json'), 'utf8')));
    expect(vocab.size).toBe(V);
  }, SPAWN);

  it("--to onnx writes a model that onnxruntime-node runs, matching rnnkit's logits", async () => {
    const out = join(dir, 'model.onnx');
    const r = ok(rnnkit(['export', checkpoint, '--to', 'onnx', '--out', out]));
    expect(r.stdout).toMatch(/'ids' int64 \[T, B\]/);
    const backend = createCpuBackend();
    const ck = await loadCheckpoint(checkpoint, backend);
    const vocab = ck.vocab as CharVocab;
    const model = charModel(ck.config as unknown as CharModelConfig);
    // Two sequences of 12 characters, time-major [T, B].
    const a = vocab.encode('Call me Ishm');
    const b = vocab.encode('the whale, a');
    const T = a.length;
    const ids = new Int32Array(T * 2);
    for (let t = 0; t < T; t++) [ids[2 * t], ids[2 * t + 1]] = [a[t]!, b[t]!];
    const { logits, states } = model.forward(ck.params as CharParams, tensor(backend, ids, [T, 2], 'i32'));
    const ours = logits.readSync() as Float32Array;
    for (const layer of states) for (const s of Object.values(layer)) for (const x of Object.values(s ?? {})) x.dispose();
    const session = await ort.InferenceSession.create(readFileSync(out));
    expect(session.inputNames).toEqual(['ids']);
    const res = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [T, 2]) });
    const theirs = res['logits']!;
    expect(theirs.dims).toEqual([T, 2, V]);
    const data = theirs.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - data[i]!));
    expect(worst).toBeLessThan(1e-5);
  }, SPAWN);
});

describe('rnnkit import', () => {
  const sample = (ckpt: string, extra: string[]) => ok(rnnkit(['sample', ckpt, '--backend', 'cpu', '--length', '60', '--prime', 'The ', ...extra])).stdout;

  it('brings the PyTorch and ONNX exports back with identical parameters and identical samples', () => {
    const original = paramBytes(checkpoint);
    const fromPt = join(dir, 'from-pytorch');
    const fromOnnx = join(dir, 'from-onnx');
    // The vocabulary from the .vocab.json export wrote, and from the training text itself.
    const pt = ok(rnnkit(['import', join(dir, 'model.safetensors'), '--from', 'pytorch', '--out', fromPt, '--vocab', join(dir, 'model.vocab.json'), '--cell', 'lstm']));
    expect(pt.stdout).toMatch(/char-lm/);
    ok(rnnkit(['import', join(dir, 'model.onnx'), '--from', 'onnx', '--out', fromOnnx, '--vocab', corpus]));
    for (const back of [fromPt, fromOnnx]) {
      const path = join(back, 'checkpoint.safetensors');
      const got = paramBytes(path);
      expect([...got.keys()].sort()).toEqual([...original.keys()].sort());
      for (const [name, t] of original) expect(got.get(name), `${back}: ${name}`).toEqual(t);
      const meta = decodeSafetensors(readFileSync(path)).metadata;
      expect(JSON.parse(meta['rnnkit.config']!)).toEqual({ kind: 'char-lm', cell: 'lstm', vocabSize: V, embedding: E, hidden: H, layers: 1, dropout: 0 });
    }
    for (const flags of [['--temperature', '0'], ['--temperature', '1', '--seed', '7']]) {
      const want = sample(checkpoint, flags);
      expect(want.startsWith('The ')).toBe(true);
      expect(sample(join(fromPt, 'checkpoint.safetensors'), flags)).toBe(want);
      expect(sample(join(fromOnnx, 'checkpoint.safetensors'), flags)).toBe(want);
    }
  }, 4 * SPAWN);

  it('without --vocab writes a checkpoint info reads, and says sampling needs a vocabulary', () => {
    const out = join(dir, 'no-vocab');
    const r = ok(rnnkit(['import', join(dir, 'model.onnx'), '--from', 'onnx', '--out', out]));
    expect(r.stdout).toMatch(/no vocabulary.*--vocab/);
    const info = ok(rnnkit(['info', join(out, 'checkpoint.safetensors')]));
    expect(info.stdout).toMatch(/"kind":"char-lm"/);
    expect(oneLineError(rnnkit(['sample', join(out, 'checkpoint.safetensors'), '--backend', 'cpu']))).toMatch(/vocabulary/);
  }, 3 * SPAWN);

  it('imports a PyTorch fixture (nn.Embedding → nn.LSTM → nn.Linear, written by torch) exactly, and its ONNX export reproduces torch', async () => {
    const file = join(fixtures, 'pytorch', 'lm_lstm.safetensors');
    const out = join(dir, 'torch-lm');
    const r = ok(rnnkit(['import', file, '--from', 'pytorch', '--out', out]));
    // Its head has 5 outputs for a vocabulary of 7: not a char-lm, so an interop-network checkpoint.
    expect(r.stdout).toMatch(/embedding \[7, 3\] → lstm 1×4 .*→ linear \[5, 4\]/);
    expect(r.stdout).toMatch(/interop-network/);
    const ckpt = join(out, 'checkpoint.safetensors');
    expect(ok(rnnkit(['info', ckpt])).stdout).toMatch(/"kind":"interop-network"/);
    const torch = tensorsOf(file);
    const ours = tensorsOf(ckpt);
    const pairs: [string, string][] = [['embedding.weight', 'embedding.weight'], ['linear.weight', 'head.weight'], ['linear.bias', 'head.bias']];
    for (const p of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) pairs.push([`rnn.${p}_l0`, `stacks.0.layers.0.forward.${p}`]);
    for (const [t, o] of pairs) expect(hex(ours.get(o)!), t).toBe(hex(torch.get(t)!));
    expect(ours.size).toBe(torch.size);
    // Back to PyTorch: the same tensors under rnnkit's module names.
    const back = join(dir, 'torch-lm.safetensors');
    ok(rnnkit(['export', ckpt, '--to', 'pytorch', '--out', back]));
    const again = tensorsOf(back);
    for (const [t] of pairs) expect(hex(again.get(t.replace(/^linear\./, 'head.'))!), t).toBe(hex(torch.get(t)!));
    // To ONNX, run by onnxruntime on the fixture's ids: torch's logits.
    const onnx = join(dir, 'torch-lm.onnx');
    ok(rnnkit(['export', ckpt, '--to', 'onnx', '--out', onnx]));
    const expected = JSON.parse(readFileSync(join(fixtures, 'pytorch', 'lm_lstm.json'), 'utf8')) as { ids: { shape: number[]; data: number[] }; logits: { shape: number[]; data: number[] } };
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    const res = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(expected.ids.data, (v) => BigInt(v)), expected.ids.shape) });
    const y = res[session.outputNames[0]!]!;
    expect(y.dims).toEqual(expected.logits.shape);
    (y.data as Float32Array).forEach((v, i) => expect(Math.abs(v - expected.logits.data[i]!)).toBeLessThan(1e-5));
  }, 4 * SPAWN);

  it('refuses what the target cannot compute in one line with interop\'s reason: a reset-before GRU to PyTorch', () => {
    const out = join(dir, 'gru-reset-before');
    ok(rnnkit(['import', join(fixtures, 'onnx', 'gru_lbr0.onnx'), '--from', 'onnx', '--out', out]));
    const line = oneLineError(rnnkit(['export', join(out, 'checkpoint.safetensors'), '--to', 'pytorch', '--out', join(dir, 'gru.safetensors')]));
    expect(line).toMatch(/conversion refused: nn\.GRU is reset-after.*reset-before/);
    expect(existsSync(join(dir, 'gru.safetensors'))).toBe(false);
  }, 2 * SPAWN);

  it('bad files are one-line errors naming the problem: not ONNX, a missing tensor, a wrong shape, a missing shard, a vocabulary of another size', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'these are not the weights you are looking for\n');
    expect(oneLineError(rnnkit(['import', text, '--from', 'onnx', '--out', join(dir, 'bad')]))).toMatch(/notes\.txt: .*not an ONNX ModelProto/);

    const sd = decodeSafetensors(readFileSync(join(dir, 'model.safetensors'))).tensors;
    const write = (name: string, edit: (m: Map<string, SafetensorsEntry>) => void) => {
      const m = new Map<string, SafetensorsEntry>([...sd].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.data }]));
      edit(m);
      const path = join(dir, name);
      writeFileSync(path, encodeSafetensors(m, { format: 'pt' }));
      return path;
    };
    const missing = write('missing.safetensors', (m) => m.delete('rnn.bias_hh_l0'));
    expect(oneLineError(rnnkit(['import', missing, '--from', 'pytorch', '--out', join(dir, 'bad')]))).toMatch(/missing tensor 'rnn\.bias_hh_l0' \(expected shape \[32\]\)/);
    const wrong = write('wrong-shape.safetensors', (m) => m.set('head.bias', { dtype: 'f32', shape: [V - 1], data: new Float32Array(V - 1) }));
    expect(oneLineError(rnnkit(['import', wrong, '--from', 'pytorch', '--out', join(dir, 'bad')]))).toContain(`tensor 'head.bias' has shape [${V - 1}], expected [${V}]`);

    const tfjs = join(dir, 'tfjs-no-shard');
    mkdirSync(tfjs);
    copyFileSync(join(fixtures, 'tfjs', 'lstm', 'model.json'), join(tfjs, 'model.json'));
    expect(oneLineError(rnnkit(['import', join(tfjs, 'model.json'), '--from', 'tfjs', '--out', join(dir, 'bad')]))).toMatch(/lists the shard '.+'/);

    const tiny = join(dir, 'tiny.txt');
    writeFileSync(tiny, 'abc');
    expect(oneLineError(rnnkit(['import', join(dir, 'model.onnx'), '--from', 'onnx', '--vocab', tiny, '--out', join(dir, 'bad')])))
      .toContain(`the vocabulary has 5 tokens, but the model's embedding has shape [${V}, ${E}]`);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  }, 6 * SPAWN);
});
