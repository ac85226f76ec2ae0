import type { Vocab } from '@rnnkit/data';
import type { Json } from '@rnnkit/optim';
import type { ParamTree, RngState } from '@rnnkit/tensor';

/**
 * A model's configuration as JSON data (cell kind, sizes, layers, …). By convention `kind`
 * names the model, and `loadCheckpoint(…, { expect: { kind } })` checks it.
 */
export type ModelConfig = { readonly kind?: string } & { readonly [key: string]: Json | undefined };

/**
 * Everything training needs to continue as if it had never stopped. Only `params` is required.
 *
 * - `params`: the model's parameter tree. In the file each tensor is named by its `treeFlatten`
 *   path (`layers.0.forward.weight_ih`), so the parameters alone form a safetensors state dict.
 * - `optimizer`: an `@rnnkit/optim` state (tensors as `optimizer/…` entries, the rest as JSON).
 * - `rng`: `rng.state()` (or several by name), restored with `Rng.fromState`.
 * - `step`: the number of updates done.
 * - `vocab`: the vocabulary (`CharVocab` / `WordVocab` of `@rnnkit/data`).
 * - `config`: the model configuration (JSON).
 * - `dataPosition`: where the data iterator stands, e.g. `TokenStream.position()`.
 * - `recurrentState`: the state carried across truncated-BPTT windows, any tree of tensors
 *   (`{ h, c }`, or `recurrent().run(…).states`); `recurrent_state/…` entries in the file.
 * - `extra`: any other JSON data of yours.
 */
export interface Checkpoint<P extends ParamTree = ParamTree, O = unknown, S extends ParamTree = ParamTree> {
  readonly params: P;
  readonly optimizer?: O;
  readonly rng?: RngState | { readonly [name: string]: RngState };
  readonly step?: number;
  readonly vocab?: Vocab;
  readonly config?: ModelConfig;
  readonly dataPosition?: Json | object;
  readonly recurrentState?: S;
  readonly extra?: { readonly [key: string]: Json };
}

/** What a loaded checkpoint must match; any mismatch fails before a tensor is made. */
export interface CheckpointExpect {
  /** `config.kind` must equal this. */
  readonly kind?: string;
  /** The config must equal this (every key, deeply); the message names the first difference. */
  readonly config?: ModelConfig;
  /** The parameters must have exactly these names, shapes and dtypes (e.g. a fresh `model.init`). */
  readonly params?: ParamTree;
  /** The optimiser state must come from this named optimiser (its name, or the transform, e.g. `adamw()`). */
  readonly optimizer?: string | { readonly name: string };
}

/** Options of `decodeCheckpoint` and `loadCheckpoint`. */
export interface LoadCheckpointOptions {
  readonly expect?: CheckpointExpect;
}
