// A small LSTM language model (embedding → LSTM → linear head, softmax cross-entropy, plain SGD, no
// dropout) trained from given initial parameters on given batches; shared by train.test.ts (Node)
// and browser-train-entry.ts (bundled from the built packages for headless Chromium).
import { valueAndGrad } from '@rnnkit/autograd';
import { scan } from '@rnnkit/bptt';
import { lstm, type LstmParams } from '@rnnkit/cells';
import { embedding, linear, softmaxCrossEntropy, type EmbeddingParams, type LinearParams } from '@rnnkit/nn';
import { applyUpdates, disposeState, sgd } from '@rnnkit/optim';
import { createRng, tensor, type Backend, type Tensor } from '@rnnkit/tensor';

export const SIZES = { V: 12, E: 8, H: 24, T: 12, B: 6 } as const;

export type LstmLmParams = { embed: EmbeddingParams; cell: LstmParams; head: LinearParams };

/** Parameters as host numbers by dotted path ('cell.weight_ih', ...), with their shapes. */
export interface HostParams {
  readonly values: Record<string, number[]>;
  readonly shapes: Record<string, number[]>;
}

export interface Batch {
  readonly ids: number[];
  readonly targets: number[];
}

export function modules(dtype: 'f32' | 'f64') {
  const { V, E, H } = SIZES;
  return {
    embed: embedding({ numEmbeddings: V, embeddingDim: E, dtype }),
    cell: lstm({ inputSize: E, hiddenSize: H, dtype }),
    head: linear({ inputSize: H, outputSize: V, dtype }),
  };
}

/** Token sequences with structure to learn: each sequence steps by its own stride (1 or 3) mod V. Time-major [T, B]. */
export function batches(steps: number, seed = 5): Batch[] {
  const { V, T, B } = SIZES;
  const rng = createRng(seed);
  return Array.from({ length: steps }, () => {
    const ids: number[] = new Array<number>(T * B);
    const targets: number[] = new Array<number>(T * B);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(rng.nextFloat() * V);
      const stride = b % 2 === 0 ? 1 : 3;
      for (let t = 0; t < T; t++) {
        ids[t * B + b] = (start + stride * t) % V;
        targets[t * B + b] = (start + stride * (t + 1)) % V;
      }
    }
    return { ids, targets };
  });
}

/** Trains from `init` on `data` (one SGD step per batch) and returns the loss of every step. */
export async function trainLstmLm(be: Backend, dtype: 'f32' | 'f64', init: HostParams, data: readonly Batch[], lr: number): Promise<number[]> {
  const { T, B } = SIZES;
  const { embed, cell, head } = modules(dtype);
  const tree: Record<string, Record<string, Tensor>> = {};
  for (const [path, v] of Object.entries(init.values)) {
    const [module, name] = path.split('.') as [string, string];
    (tree[module] ??= {})[name] = tensor(be, v, init.shapes[path], dtype);
  }
  let params = tree as unknown as LstmLmParams;
  const loss = (p: LstmLmParams, ids: Tensor, targets: Tensor): Tensor => {
    const xs = embed.apply(p.embed, ids); // [T, B, E]
    const { ys } = scan(cell, p.cell, xs);
    return softmaxCrossEntropy(head.apply(p.head, ys), targets);
  };
  const step = valueAndGrad(loss);
  const opt = sgd(lr);
  let state = opt.init(params);
  const losses: number[] = [];
  for (const { ids, targets } of data) {
    const idsT = tensor(be, Int32Array.from(ids), [T, B], 'i32');
    const targetsT = tensor(be, Int32Array.from(targets), [T, B], 'i32');
    const { value, grads } = step(params, idsT, targetsT);
    const [updates, next] = opt.update(grads, state, params);
    params = applyUpdates<LstmLmParams>(params, updates, { donate: true });
    losses.push(Number((await value.read())[0]));
    disposeState([state, grads, value, idsT, targetsT]);
    state = next;
  }
  disposeState([params, state]);
  return losses;
}
