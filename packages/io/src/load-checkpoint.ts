import { fail, type Backend, type ParamTree } from '@rnnkit/tensor';
import type { Checkpoint, LoadCheckpointOptions } from './checkpoint.js';
import { decodeCheckpoint } from './decode-checkpoint.js';
import { nodeFs } from './internal/node-fs.js';

/**
 * Reads a checkpoint file written by `saveCheckpoint` (Node) and uploads its tensors to
 * `backend`. A missing, truncated or corrupted file, or one that does not match `expect` (another
 * model kind or config, other parameter names or shapes, another optimiser), fails with an
 * `RnnkitError` naming the file and the problem; nothing is created and no file is touched.
 *
 * @example
 * const ckpt = await loadCheckpoint<Params, AdamState>('runs/a/latest.safetensors', backend, {
 *   expect: { config, params: model.init(createRng(0), backend), optimizer: 'adam' },
 * });
 */
export async function loadCheckpoint<P extends ParamTree = ParamTree, O = unknown, S extends ParamTree = ParamTree>(
  path: string, backend: Backend, options: LoadCheckpointOptions = {},
): Promise<Checkpoint<P, O, S>> {
  const op = 'loadCheckpoint';
  const fs = await nodeFs();
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    return fail(code === 'ENOENT' ? `${op}: there is no checkpoint at '${path}'.` : `${op}: cannot read '${path}' (${e instanceof Error ? e.message : String(e)}).`);
  }
  return decodeCheckpoint<P, O, S>(bytes, backend, { ...options, source: path, op });
}
