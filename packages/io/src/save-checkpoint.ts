import { fail, RnnkitError } from '@rnnkit/tensor';
import type { Checkpoint } from './checkpoint.js';
import { encodeCheckpoint } from './encode-checkpoint.js';
import { nodeFs, nodePath } from './internal/node-fs.js';

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /**
   * Keep the checkpoint being replaced at `previousCheckpointPath(path)` (default true), so a
   * checkpoint damaged later (a full disk elsewhere, a bad copy) still leaves one to resume from.
   */
  readonly keepPrevious?: boolean;
}

/** What `saveCheckpoint` wrote. */
export interface SavedCheckpoint {
  readonly path: string;
  /** Where the replaced checkpoint now is, when there was one and `keepPrevious` is on. */
  readonly previous?: string;
  readonly bytes: number;
}

/** Write in pieces this large, so a very large checkpoint never needs one giant write call. */
const CHUNK = 1 << 20;

/**
 * Where `saveCheckpoint` keeps the checkpoint it replaced: `run/latest.safetensors` →
 * `run/latest.previous.safetensors` (a name without `.safetensors` gets `.previous` appended).
 */
export function previousCheckpointPath(path: string): string {
  return path.endsWith('.safetensors') ? `${path.slice(0, -'.safetensors'.length)}.previous.safetensors` : `${path}.previous`;
}

/**
 * Writes a checkpoint to `path` atomically (Node), creating its folder if needed: the bytes go to a temporary file in the same
 * folder, which is flushed to disk (fsync) and then renamed over `path`. A crash or an error at any
 * moment leaves either the old checkpoint or the new one at `path`, never a partial file, and the
 * temporary file is removed on error. Before the rename, the old checkpoint is kept at
 * `previousCheckpointPath(path)` (a hard link, or a copy where links are not supported).
 *
 * @example
 * await saveCheckpoint('runs/a/latest.safetensors', { params, optimizer: optState, step, rng: rng.state() });
 * const ckpt = await loadCheckpoint('runs/a/latest.safetensors', backend, { expect: { params } });
 */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint, options: SaveCheckpointOptions = {}): Promise<SavedCheckpoint> {
  const op = 'saveCheckpoint';
  if (typeof path !== 'string' || path === '') fail(`${op}: path must be a non-empty file path.`);
  const bytes = await encodeCheckpoint(checkpoint);
  const fs = await nodeFs();
  const { dirname, basename, join } = await nodePath();
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let previous: string | undefined;
  try {
    await fs.mkdir(dir, { recursive: true });
    const fh = await fs.open(tmp, 'wx');
    try {
      for (let at = 0; at < bytes.length; ) {
        const { bytesWritten } = await fh.write(bytes, at, Math.min(CHUNK, bytes.length - at), at);
        at += bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.keepPrevious ?? true) previous = await keepPrevious(fs, path);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    const why = e instanceof Error ? e.message : String(e);
    throw new RnnkitError(`${op}: writing '${path}' failed (${why}); the checkpoint that was there is untouched.`, { cause: e });
  }
  await syncDir(fs, dir);
  return { path, bytes: bytes.length, ...(previous ? { previous } : {}) };
}

type Fs = Awaited<ReturnType<typeof nodeFs>>;

// Links (or copies) the current checkpoint to its previous-path; returns that path, or undefined when there was none.
async function keepPrevious(fs: Fs, path: string): Promise<string | undefined> {
  try {
    await fs.stat(path);
  } catch {
    return undefined;
  }
  const prev = previousCheckpointPath(path);
  await fs.rm(prev, { force: true });
  try {
    await fs.link(path, prev);
  } catch {
    await fs.copyFile(path, prev);
  }
  return prev;
}

// Makes the rename durable; some platforms cannot open a folder for syncing, which is fine to skip.
async function syncDir(fs: Fs, dir: string): Promise<void> {
  try {
    const d = await fs.open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // not supported here (e.g. Windows)
  }
}
