import { vocabFromJSON } from '@rnnkit/data';
import { deserializeState } from '@rnnkit/optim';
import { fail, RnnkitError, tensor, type Backend, type ParamTree, type Tensor } from '@rnnkit/tensor';
import type { Checkpoint, LoadCheckpointOptions } from './checkpoint.js';
import { decodeSafetensors } from './decode-safetensors.js';
import { toBase64 } from './internal/base64.js';
import { FORMAT, KEYS, OPTIMIZER_PREFIX, STATE_PREFIX, VERSION } from './internal/format.js';
import { firstDifference, isRecord } from './internal/json-tree.js';
import { checkRngState } from './internal/rng-state.js';
import { fromSkeleton, paramMismatch, skeletonNames } from './internal/tree-skeleton.js';

/** Options of `decodeCheckpoint`: what to expect, and names for error messages. */
export interface DecodeCheckpointOptions extends LoadCheckpointOptions {
  /** Named in error messages (a file name or URL). */
  readonly source?: string;
  /** The op named in error messages (default 'decodeCheckpoint'). */
  readonly op?: string;
}

/**
 * Rebuilds a checkpoint from `encodeCheckpoint`'s bytes, uploading its tensors to `backend`.
 * Everything is checked before the first tensor is made: the safetensors structure, the rnnkit
 * metadata, and `expect` (model kind, config, parameter names and shapes, optimiser). A problem
 * fails with an `RnnkitError` naming the source and what is wrong, and leaves no tensor behind.
 * The caller owns the tensors (`disposeCheckpoint` frees them all). Pure: runs in browsers.
 */
export function decodeCheckpoint<P extends ParamTree = ParamTree, O = unknown, S extends ParamTree = ParamTree>(
  bytes: Uint8Array, backend: Backend, options: DecodeCheckpointOptions = {},
): Checkpoint<P, O, S> {
  const op = options.op ?? 'decodeCheckpoint';
  const name = options.source ? `'${options.source}'` : 'the data';
  const bad = (problem: string): never => fail(`${op}: ${name} ${problem}`);
  const { tensors, metadata } = decodeSafetensors(bytes, { source: options.source, op });
  if (metadata[KEYS.format] !== FORMAT)
    bad('is a safetensors file but not an rnnkit checkpoint (its metadata has no rnnkit.format); read plain weights with decodeSafetensors.');
  if (metadata[KEYS.version] !== VERSION) bad(`is a checkpoint of format version ${String(metadata[KEYS.version])}; this rnnkit reads version ${VERSION}.`);
  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return bad(`has corrupt metadata: '${key}' is not valid JSON.`);
    }
  };

  // Structure: every named tensor exists; parameters are the entries without a prefix.
  const paramSkeleton = json(KEYS.params);
  if (paramSkeleton === undefined) bad('has no rnnkit.params metadata; it is not a complete checkpoint.');
  const stateSkeleton = json(KEYS.recurrentState);
  for (const [what, skel] of [['params', paramSkeleton], ['recurrent state', stateSkeleton]] as const)
    for (const n of skeletonNames(skel)) if (!tensors.has(n)) bad(`is corrupt: its ${what} name the tensor '${n}', which the file does not hold.`);
  const paramInfo = new Map([...tensors].filter(([n]) => !n.startsWith(OPTIMIZER_PREFIX) && !n.startsWith(STATE_PREFIX)));

  const config = json(KEYS.config);
  if (config !== undefined && !isRecord(config)) bad("has corrupt metadata: 'rnnkit.config' is not an object.");
  const expect = options.expect ?? {};
  if (expect.kind !== undefined && (config as { kind?: unknown } | undefined)?.kind !== expect.kind)
    bad(`holds a model of kind ${JSON.stringify((config as { kind?: unknown } | undefined)?.kind ?? null)}, but '${expect.kind}' was expected; load a checkpoint of this model, or start afresh.`);
  if (expect.config !== undefined) {
    if (config === undefined) bad('has no model config, but one was expected.');
    const diff = firstDifference(config, expect.config);
    if (diff) bad(`does not match the model: ${diff}.`);
  }
  if (expect.params !== undefined) {
    const diff = paramMismatch(expect.params, paramInfo);
    if (diff) bad(`does not match the model: it ${diff}.`);
  }

  const optimizer = json(KEYS.optimizer) as { optimizer?: unknown; state?: unknown } | undefined;
  if (optimizer !== undefined && !isRecord(optimizer)) bad("has corrupt metadata: 'rnnkit.optimizer' is not an object.");
  const wantOpt = typeof expect.optimizer === 'string' ? expect.optimizer : expect.optimizer?.name;
  if (wantOpt !== undefined) {
    if (optimizer === undefined) bad(`holds no optimiser state, but '${wantOpt}' was expected.`);
    if (optimizer!.optimizer !== wantOpt)
      bad(`holds the state of ${typeof optimizer!.optimizer === 'string' ? `the optimiser '${optimizer!.optimizer}'` : 'an unnamed transform'}, but '${wantOpt}' was expected; resume with the optimiser that saved it.`);
  }
  const rngJson = json(KEYS.rng);
  const rng = rngJson === undefined ? undefined : checkRngState(rngJson, (p) => bad(`has corrupt metadata: rnnkit.rng ${p}`));
  const stepText = metadata[KEYS.step];
  const step = stepText === undefined ? undefined : Number(stepText);
  if (step !== undefined && (!/^\d+$/.test(stepText!) || !Number.isSafeInteger(step))) bad(`has corrupt metadata: rnnkit.step is ${JSON.stringify(stepText)}, not an integer ≥ 0.`);
  const vocabJson = json(KEYS.vocab);
  let vocab: ReturnType<typeof vocabFromJSON> | undefined;
  if (vocabJson !== undefined) {
    try {
      vocab = vocabFromJSON(vocabJson);
    } catch (e) {
      bad(`has a corrupt vocabulary: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const dataPosition = json(KEYS.dataPosition);
  const extra = json(KEYS.extra);
  if (extra !== undefined && !isRecord(extra)) bad("has corrupt metadata: 'rnnkit.extra' is not an object.");

  // Only now make tensors; on any failure free what was made.
  const made: Tensor[] = [];
  const upload = (entryName: string): Tensor => {
    const e = tensors.get(entryName)!;
    const t = tensor(backend, e.data, e.shape, e.dtype);
    made.push(t);
    return t;
  };
  try {
    const params = fromSkeleton(paramSkeleton, upload, bad, 'params') as P;
    const recurrentState = stateSkeleton === undefined ? undefined : (fromSkeleton(stateSkeleton, upload, bad, 'recurrent state') as S);
    const optState = optimizer === undefined ? undefined : deserializeState<O>(internalise(optimizer, tensors, bad), backend);
    return {
      params,
      ...(optimizer === undefined ? {} : { optimizer: optState }),
      ...(rng === undefined ? {} : { rng }),
      ...(step === undefined ? {} : { step }),
      ...(vocab === undefined ? {} : { vocab }),
      ...(config === undefined ? {} : { config: config as Checkpoint['config'] }),
      ...(dataPosition === undefined ? {} : { dataPosition }),
      ...(recurrentState === undefined ? {} : { recurrentState }),
      ...(extra === undefined ? {} : { extra: extra as Checkpoint['extra'] }),
    };
  } catch (e) {
    for (const t of made) t.dispose();
    if (e instanceof RnnkitError && !e.message.startsWith(`${op}: `)) bad(`cannot be loaded on backend '${backend.name}': ${e.message}`);
    throw e;
  }
}

// Puts the bytes of the optimizer/… entries back into the serialised state, as base64 (optim's format).
function internalise(saved: unknown, tensors: ReadonlyMap<string, { dtype: string; data: ArrayBufferView }>, bad: (p: string) => never): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isRecord(v)) return v;
    if ('$tensor' in v && isRecord(v.$tensor) && typeof v.$tensor.ref === 'string') {
      const { ref, dtype, shape } = v.$tensor;
      const e = tensors.get(ref);
      if (!e || !ref.startsWith(OPTIMIZER_PREFIX)) return bad(`is corrupt: the optimiser state names the tensor '${ref}', which the file does not hold.`);
      if (e.dtype !== dtype) return bad(`is corrupt: the optimiser state says '${ref}' is ${String(dtype)}, but the file holds it as ${e.dtype}.`);
      return { $tensor: { dtype, shape, data: toBase64(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength)) } };
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(saved);
}
