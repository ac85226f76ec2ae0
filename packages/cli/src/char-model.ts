import { fail, type Backend, type Rng, type StepTap, type Tensor } from '@rnnkit/tensor';
import { gru, lstm, rnn, type GruParams, type LstmParams, type RnnParams } from '@rnnkit/cells';
import { recurrent, type Recurrent, type RecurrentParams, type RecurrentStates } from '@rnnkit/bptt';
import { embedding, linear, type EmbeddingParams, type LinearParams } from '@rnnkit/nn';

export type CellKind = 'lstm' | 'gru' | 'rnn';

/** Everything needed to rebuild a character-level language model; saved in checkpoints. */
export interface CharModelConfig {
  readonly kind: 'char-lm';
  readonly cell: CellKind;
  readonly vocabSize: number;
  readonly embedding: number;
  readonly hidden: number;
  readonly layers: number;
  readonly dropout: number;
}

type CellParams = LstmParams | GruParams | RnnParams;
export type CharParams = { readonly embedding: EmbeddingParams; readonly recurrent: RecurrentParams<CellParams>; readonly head: LinearParams };
export type CharStates = RecurrentStates<Record<string, Tensor>>;

export interface CharModel {
  readonly config: CharModelConfig;
  readonly recurrent: Recurrent<CellParams, Record<string, Tensor>>;
  init(rng: Rng, backend: Backend): CharParams;
  /**
   * ids: i32 [T, B] → logits [T, B, V] and the final states (both yours). With `keepInputs` the
   * embedded inputs [T, B, E] come back too (diagnostics probe the first layer with them).
   */
  forward(params: CharParams, ids: Tensor, options?: ForwardOptions): { logits: Tensor; states: CharStates; inputs?: Tensor };
}

export interface ForwardOptions {
  readonly states?: CharStates;
  readonly training?: boolean;
  readonly rng?: Rng;
  readonly tap?: StepTap;
  readonly keepInputs?: boolean;
}

/** Embedding → stack of recurrent layers → linear head over the vocabulary, at every step. */
export function charModel(config: CharModelConfig): CharModel {
  if (config.kind !== 'char-lm') fail(`charModel: config kind is '${String(config.kind)}', expected 'char-lm'.`);
  const emb = embedding({ numEmbeddings: config.vocabSize, embeddingDim: config.embedding });
  const stack = recurrent<CellParams, Record<string, Tensor>>({
    inputSize: config.embedding,
    numLayers: config.layers,
    dropout: config.dropout,
    cell: (inputSize) => {
      const opts = { inputSize, hiddenSize: config.hidden };
      const c = config.cell === 'lstm' ? lstm(opts) : config.cell === 'gru' ? gru(opts) : rnn(opts);
      return c;
    },
  });
  const head = linear({ inputSize: config.hidden, outputSize: config.vocabSize });
  return {
    config,
    recurrent: stack,
    init: (rng, backend) => ({ embedding: emb.init(rng, backend), recurrent: stack.init(rng, backend), head: head.init(rng, backend) }),
    forward(params, ids, options = {}) {
      const xs = emb.apply(params.embedding, ids);
      const { ys, states } = stack.run(params.recurrent, xs, {
        ...(options.states ? { initialStates: options.states } : {}),
        ...(options.training ? { training: true, rng: options.rng } : {}),
        ...(options.tap ? { tap: options.tap } : {}),
      });
      const logits = head.apply(params.head, ys);
      ys.dispose();
      if (options.keepInputs) return { logits, states, inputs: xs };
      xs.dispose();
      return { logits, states };
    },
  };
}
