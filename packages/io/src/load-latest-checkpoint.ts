import { RnnkitError, type Backend, type ParamTree } from '@rnnkit/tensor';
import type { Checkpoint, LoadCheckpointOptions } from './checkpoint.js';
import { loadCheckpoint } from './load-checkpoint.js';
import { previousCheckpointPath } from './save-checkpoint.js';

/** What `loadLatestCheckpoint` found. */
export interface LatestCheckpoint<P extends ParamTree, O, S extends ParamTree> {
  readonly checkpoint: Checkpoint<P, O, S>;
  /** The file it came from: `path`, or its previous checkpoint. */
  readonly path: string;
  /** Why `path` itself was passed over, when the previous checkpoint was used. */
  readonly rejected?: RnnkitError;
}

/**
 * Loads `path`, or when that fails to load (missing, truncated, corrupted), the checkpoint
 * `saveCheckpoint` kept before it (`previousCheckpointPath(path)`). A mismatch with `expect` is
 * not a reason to fall back: it fails at once, since the previous checkpoint is of the same run.
 * Fails, naming both files and both problems, when neither loads.
 */
export async function loadLatestCheckpoint<P extends ParamTree = ParamTree, O = unknown, S extends ParamTree = ParamTree>(
  path: string, backend: Backend, options: LoadCheckpointOptions = {},
): Promise<LatestCheckpoint<P, O, S>> {
  try {
    return { checkpoint: await loadCheckpoint<P, O, S>(path, backend, options), path };
  } catch (first) {
    if (!(first instanceof RnnkitError) || /does not match|was expected/.test(first.message)) throw first;
    const prev = previousCheckpointPath(path);
    try {
      return { checkpoint: await loadCheckpoint<P, O, S>(prev, backend, options), path: prev, rejected: first };
    } catch (second) {
      throw new RnnkitError(`loadLatestCheckpoint: no checkpoint could be loaded. ${first.message} ${second instanceof Error ? second.message : String(second)}`, { cause: second });
    }
  }
}
