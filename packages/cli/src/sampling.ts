import { tensor, treeDispose, type Backend, type Rng } from '@rnnkit/tensor';
import type { CharModel, CharParams, CharStates } from './char-model.js';

export interface SampleOptions {
  readonly prime: string;
  readonly length: number;
  readonly temperature: number;
  /** Keep only the k most likely characters (0: all). */
  readonly topK: number;
  readonly rng: Rng;
}

/** Minimal view of a vocabulary the sampler needs. */
export interface TextCodec {
  readonly size: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

/** Generates text one character at a time, feeding each sample back in (the state carries). */
export async function sampleText(model: CharModel, params: CharParams, vocab: TextCodec, backend: Backend, options: SampleOptions): Promise<string> {
  const primeIds = vocab.encode(options.prime.length > 0 ? options.prime : '\n');
  // Prime: run the whole prefix at once, keep the last step's logits.
  let { states, logits } = await run(model, params, backend, primeIds, undefined);
  const out: number[] = [];
  for (let i = 0; i < options.length; i++) {
    const id = pick(logits, options.temperature, options.topK, options.rng);
    out.push(id);
    const next = await run(model, params, backend, Int32Array.of(id), states);
    treeDispose(states);
    ({ states, logits } = next);
  }
  treeDispose(states);
  return options.prime + vocab.decode(out);
}

async function run(model: CharModel, params: CharParams, backend: Backend, ids: Int32Array, states: CharStates | undefined) {
  const input = tensor(backend, ids, [ids.length, 1], 'i32');
  const r = model.forward(params, input, states ? { states } : {});
  input.dispose();
  const all = (await r.logits.read()) as Float32Array;
  r.logits.dispose();
  const V = all.length / ids.length;
  return { states: r.states, logits: all.slice(all.length - V) };
}

/** Samples an index from softmax(logits / temperature), restricted to the top k. */
export function pick(logits: ArrayLike<number>, temperature: number, topK: number, rng: Rng): number {
  const n = logits.length;
  if (temperature <= 0) return argmax(logits);
  let idx = Array.from({ length: n }, (_, i) => i);
  if (topK > 0 && topK < n) idx = idx.sort((a, b) => logits[b]! - logits[a]!).slice(0, topK);
  const max = Math.max(...idx.map((i) => logits[i]!));
  const weights = idx.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.nextFloat() * total;
  for (let k = 0; k < idx.length; k++) {
    u -= weights[k]!;
    if (u <= 0) return idx[k]!;
  }
  return idx[idx.length - 1]!;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

