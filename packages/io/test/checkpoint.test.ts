import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, type LstmParams, type LstmState } from '@rnnkit/cells';
import { CharVocab, tokenStream } from '@rnnkit/data';
import { linear, type LinearParams } from '@rnnkit/nn';
import { adam, applyUpdates, disposeState, serializeState, sgd } from '@rnnkit/optim';
import { createRng, ones, RnnkitError, treeMap } from '@rnnkit/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeCheckpoint, decodeSafetensors, disposeCheckpoint, encodeCheckpoint, loadCheckpoint, loadLatestCheckpoint, previousCheckpointPath, saveCheckpoint,
  type Checkpoint,
} from '../src/index.js';
import { tempDir, treeBytes } from './helpers.js';

const backend = createCpuBackend();
type Params = { cell: LstmParams; head: LinearParams };
const config = { kind: 'char-lstm', hidden: 4, layers: 1, vocab: 6 };

function model(hidden = 4) {
  const cell = lstm({ inputSize: 3, hiddenSize: hidden });
  const head = linear({ inputSize: hidden, outputSize: 6 });
  return { cell, init: (seed: number): Params => { const rng = createRng(seed); return { cell: cell.init(rng, backend), head: head.init(rng, backend) }; } };
}

/** A checkpoint with every field filled, after one real optimiser update. */
function fullCheckpoint() {
  const m = model();
  const p0 = m.init(1);
  const opt = adam(0.01);
  const s0 = opt.init(p0);
  const grads = treeMap(p0, (t) => ones(backend, t.shape, t.dtype));
  const [updates, s1] = opt.update(grads, s0, p0);
  const params = applyUpdates<Params>(p0, updates, { donate: true });
  disposeState([grads, s0]);
  const rng = createRng(9);
  rng.nextFloat();
  const vocab = CharVocab.fromText('abcd');
  const stream = tokenStream(vocab.encode('abcdabcdabcdabcd'), { batchSize: 2, steps: 3 });
  stream.nextWindow();
  const recurrentState: LstmState = m.cell.zeroState(2, backend);
  const ckpt: Checkpoint<Params, typeof s1, LstmState> = {
    params, optimizer: s1, rng: rng.state(), step: 1, vocab, config, dataPosition: stream.position(), recurrentState, extra: { note: 'first', losses: [2.5, 2.25] },
  };
  return { ckpt, m, opt };
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('checkpoints', () => {
  it('round-trip every field exactly, and leave no tensor behind', async () => {
    const live = backend.stats().liveHandles;
    const { ckpt } = fullCheckpoint();
    const path = join(dir, 'latest.safetensors');
    const saved = await saveCheckpoint(path, ckpt);
    expect(saved).toEqual({ path, bytes: (await readFile(path)).length });
    const back = await loadCheckpoint<Params, typeof ckpt.optimizer, LstmState>(path, backend, { expect: { kind: 'char-lstm', config, params: ckpt.params, optimizer: 'adam' } });
    expect(await treeBytes(back.params)).toEqual(await treeBytes(ckpt.params));
    expect(await treeBytes(back.recurrentState!)).toEqual(await treeBytes(ckpt.recurrentState!));
    expect(await serializeState(back.optimizer)).toEqual(await serializeState(ckpt.optimizer));
    expect(back.rng).toEqual(ckpt.rng);
    expect([back.step, back.config, back.dataPosition, back.extra]).toEqual([1, config, ckpt.dataPosition, ckpt.extra]);
    expect(back.vocab!.tokens).toEqual(ckpt.vocab!.tokens);
    expect(back.vocab).toBeInstanceOf(CharVocab);
    disposeCheckpoint(back);
    disposeCheckpoint(ckpt);
    expect(backend.stats().liveHandles).toBe(live);
  });
  it('names parameters by their treeFlatten paths, so the parameters alone form a state dict', async () => {
    const { ckpt } = fullCheckpoint();
    const { tensors, metadata } = decodeSafetensors(await encodeCheckpoint(ckpt));
    const names = [...tensors.keys()];
    expect(names.filter((n) => !n.includes('/')).sort()).toEqual(['cell.bias_hh', 'cell.bias_ih', 'cell.weight_hh', 'cell.weight_ih', 'head.bias', 'head.weight']);
    expect(names.filter((n) => n.startsWith('recurrent_state/')).sort()).toEqual(['recurrent_state/c', 'recurrent_state/h']);
    expect(names.some((n) => n.startsWith('optimizer/'))).toBe(true);
    expect(metadata['rnnkit.format']).toBe('rnnkit.checkpoint');
    expect(JSON.parse(metadata['rnnkit.config']!)).toEqual(config);
    disposeCheckpoint(ckpt);
  });
  it('keeps the replaced checkpoint at previousCheckpointPath', async () => {
    const path = join(dir, 'latest.safetensors');
    const p = model().init(1);
    await saveCheckpoint(path, { params: p, step: 1 });
    const second = await saveCheckpoint(path, { params: p, step: 2 });
    expect(second.previous).toBe(previousCheckpointPath(path));
    expect(previousCheckpointPath(path)).toBe(join(dir, 'latest.previous.safetensors'));
    const latest = await loadCheckpoint(path, backend);
    const prev = await loadCheckpoint(previousCheckpointPath(path), backend);
    expect([latest.step, prev.step]).toEqual([2, 1]);
    expect((await readdir(dir)).sort()).toEqual(['latest.previous.safetensors', 'latest.safetensors']);
    disposeState(p);
    for (const c of [latest, prev]) disposeCheckpoint(c);
  });

  describe('a file that does not match fails with its name and the problem, and creates nothing', () => {
    let path: string;
    let params: Params;
    beforeEach(async () => {
      path = join(dir, 'run.safetensors');
      params = model().init(1);
      const opt = sgd(0.1);
      const state = opt.init(params);
      await saveCheckpoint(path, { params, optimizer: state, config });
      disposeState(state);
    });
    afterEach(() => disposeState(params));
    const mismatches: [string, () => Parameters<typeof loadCheckpoint>[2], RegExp][] = [
      ['another kind', () => ({ expect: { kind: 'gru-lm' } }), /holds a model of kind "char-lstm", but 'gru-lm' was expected/],
      ['another config', () => ({ expect: { config: { ...config, hidden: 8 } } }), /does not match the model: hidden is 4 in the checkpoint but 8 was expected/],
      ['other parameter shapes', () => ({ expect: { params: model(8).init(1) } }), /does not match the model: it has parameter 'cell.weight_ih' of shape \[16, 3\], but the model expects \[32, 3\]/],
      ['a missing parameter', () => ({ expect: { params: { ...model().init(1), extra: { w: ones(backend, [2]) } } } }), /has no parameter 'extra.w' \(expected f32 \[2\]\)/],
      ['another optimiser', () => ({ expect: { optimizer: 'adam' } }), /holds the state of the optimiser 'sgd', but 'adam' was expected/],
    ];
    it.each(mismatches)('%s', async (_, options, message) => {
      const opts = options();
      const live = backend.stats().liveHandles;
      const err = await loadCheckpoint(path, backend, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RnnkitError);
      expect((err as Error).message).toMatch(new RegExp(`^loadCheckpoint: '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' `));
      expect((err as Error).message).toMatch(message);
      expect(backend.stats().liveHandles).toBe(live);
      if (opts?.expect?.params) disposeState(opts.expect.params);
    });
  });

  it('rejects truncated and corrupted files, naming the file; the previous checkpoint still loads', async () => {
    const path = join(dir, 'latest.safetensors');
    const params = model().init(1);
    await saveCheckpoint(path, { params, step: 1 });
    await saveCheckpoint(path, { params, step: 2 });
    const good = await readFile(path);
    const live = backend.stats().liveHandles;
    const damaged: [string, Uint8Array, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 10), /is truncated or corrupt: tensor '.*' occupies bytes/],
      ['cut inside the header', good.subarray(0, 30), /is truncated: its header should be/],
      ['bad header JSON', good.map((b, i) => (i === 8 ? 0x5b : b)), /has a corrupt header/],
      ['not a checkpoint', new TextEncoder().encode('hello world, this is text'), /is not a safetensors file|is truncated/],
    ];
    for (const [, bytes, message] of damaged) {
      await writeFile(path, bytes);
      const err = (await loadCheckpoint(path, backend).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(RnnkitError);
      expect(err.message).toContain(`loadCheckpoint: '${path}'`);
      expect(err.message).toMatch(message);
      expect(backend.stats().liveHandles).toBe(live);
      const latest = await loadLatestCheckpoint(path, backend);
      expect(latest.path).toBe(previousCheckpointPath(path));
      expect(latest.checkpoint.step).toBe(1);
      expect(latest.rejected!.message).toMatch(message);
      disposeCheckpoint(latest.checkpoint);
    }
    await expect(loadCheckpoint(join(dir, 'nope.safetensors'), backend)).rejects.toThrow(/there is no checkpoint at '.*nope.safetensors'/);
    disposeState(params);
  });
  it('checks metadata too: a plain safetensors file, corrupt JSON metadata, a tensor the structure names but the file lacks', async () => {
    const params = model().init(1);
    const bytes = await encodeCheckpoint({ params, step: 3 });
    const { tensors, metadata } = decodeSafetensors(bytes);
    const { encodeSafetensors } = await import('../src/index.js');
    expect(() => decodeCheckpoint(encodeSafetensors(tensors), backend, { source: 'w.st' })).toThrow(/'w.st' is a safetensors file but not an rnnkit checkpoint/);
    expect(() => decodeCheckpoint(encodeSafetensors(tensors, { ...metadata, 'rnnkit.params': '{oops' }), backend)).toThrow(/corrupt metadata: 'rnnkit.params' is not valid JSON/);
    const fewer = new Map([...tensors].filter(([n]) => n !== 'head.bias'));
    expect(() => decodeCheckpoint(encodeSafetensors(fewer, metadata), backend)).toThrow(/its params name the tensor 'head.bias', which the file does not hold/);
    expect(() => decodeCheckpoint(encodeSafetensors(tensors, { ...metadata, 'rnnkit.step': '-1' }), backend)).toThrow(/rnnkit.step is "-1"/);
    disposeState(params);
  });
  it('refuses to save what it cannot store exactly', async () => {
    const w = ones(backend, [2]);
    await expect(encodeCheckpoint({ params: w })).rejects.toThrow(/params is a bare tensor/);
    await expect(encodeCheckpoint({ params: { w }, config: { lr: NaN } })).rejects.toThrow(/config.lr is NaN, which JSON cannot hold/);
    await expect(encodeCheckpoint({ params: { w }, step: 1.5 })).rejects.toThrow(/step must be an integer ≥ 0/);
    await expect(encodeCheckpoint({ params: { w }, rng: { key: [1], counter: 0 } as never })).rejects.toThrow(/rng must be rng.state\(\)/);
    await expect(encodeCheckpoint({ params: { 'a.b': w } })).rejects.toThrow(/key 'a.b' contains a '.'/);
    w.dispose();
  });
});
