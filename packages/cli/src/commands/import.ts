import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { CharVocab, vocabFromJSON } from '@rnnkit/data';
import { saveCheckpoint, type Checkpoint } from '@rnnkit/io';
import {
  findPytorchRecurrentModules, fromPytorchNetworkStateDict, importOnnx, importTfjsModel, readSafetensorsF32, stackOutputSize, toTensor,
  type HostTensor, type InteropNetwork, type RecurrentSpec, type RecurrentStack, type TfjsModelJson,
} from '@rnnkit/interop';
import { RnnkitError, fmtShape, type Backend, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { choiceFlag, parseFlags } from '../args.js';
import type { CharModelConfig } from '../char-model.js';
import { CliError } from '../cli-error.js';
import { CHECKPOINT_FILE } from '../training/char-checkpoint.js';
import { describeNetwork, type ImportedNetworkConfig } from './export.js';

export const IMPORT_HELP = `rnnkit import <file> --from pytorch|tfjs|onnx [--out DIR] — make an rnnkit checkpoint of a foreign model

  file               pytorch: a safetensors state dict (safetensors.torch.save_file(model.state_dict(), …));
                     tfjs: a layers model's model.json (weight shards beside it);
                     onnx: a model with LSTM/GRU/RNN operators
  --from FORMAT      pytorch|tfjs|onnx
  --out DIR          writes DIR/${CHECKPOINT_FILE} (default rnnkit-import)
  --vocab FILE       the vocabulary of a character model: a .vocab.json from rnnkit export (or any
                     CharVocab toJSON()), or a text file to build one from as rnnkit train does
  --cell lstm|gru|rnn  check that the recurrent layers are of this kind
  --nonlinearity tanh|relu  pytorch: nn.RNN's nonlinearity, which a state dict does not record (default tanh)
  --embedding NAME   pytorch: the nn.Embedding module's name (default: found by shape)
  --head NAME        pytorch: the nn.Linear head's name (default: found by shape)

The model is a chain embedding → recurrent layers → linear head (embedding and head optional; a
bare nn.LSTM/GRU/RNN state dict is a recurrent stack). An embedding → one unidirectional
LSTM / GRU (reset-after) / tanh RNN with biases → linear head over the same vocabulary becomes a
char-lm checkpoint that rnnkit sample, info and diagnose use (sampling needs --vocab); anything
else becomes an 'interop-network' checkpoint that rnnkit info reads and rnnkit export writes back.
Parameters are copied exactly. A bad file (wrong format, a missing tensor, a shape mismatch) is
refused naming the tensor and the expected and actual shapes.
`;

/** Module name of a state-dict entry: 'rnn.weight_ih_l0' → 'rnn', 'weight' → ''. */
function moduleOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(0, i);
}

/**
 * Reads a PyTorch state dict as a network: every module with weight_ih_l0 is a recurrent stack;
 * the embedding is a module holding only a weight [V, E] with E the first stack's input, the head
 * a module with weight [O, K] (and bias [O]) with K the last stack's output. Any other tensor is
 * refused, so nothing of the model is silently left behind.
 */
function importPytorch(file: string, flags: { nonlinearity: 'tanh' | 'relu'; cell?: RecurrentSpec['kind']; embedding?: string; head?: string }): InteropNetwork {
  const tensors = readSafetensorsF32(readFileSync(file), file);
  const probe = fromPytorchNetworkStateDict(tensors, {}, { activation: flags.nonlinearity, ...(flags.cell ? { kind: flags.cell } : {}) });
  const stackModules = new Set(findPytorchRecurrentModules(tensors));
  const others = new Map<string, Map<string, HostTensor>>();
  for (const [name, t] of tensors) {
    const mod = moduleOf(name);
    if (stackModules.has(mod)) continue;
    if (!others.has(mod)) others.set(mod, new Map());
    others.get(mod)!.set(name.slice(mod ? mod.length + 1 : 0), t);
  }
  const first = probe.stacks[0]!.spec;
  const last = probe.stacks[probe.stacks.length - 1]!.spec;
  const K = stackOutputSize(last);
  const isEmbedding = (m: Map<string, HostTensor>) => m.size === 1 && m.get('weight')?.shape.length === 2 && m.get('weight')!.shape[1] === first.inputSize;
  const isHead = (m: Map<string, HostTensor>) =>
    m.get('weight')?.shape.length === 2 && m.get('weight')!.shape[1] === K && [...m.keys()].every((k) => k === 'weight' || k === 'bias');
  const pick = (what: string, flag: 'embedding' | 'head', given: string | undefined, test: (m: Map<string, HostTensor>) => boolean, hint: RegExp, taken?: string) => {
    if (given !== undefined) {
      if (!others.has(given)) throw new CliError(`${file}: --${flag} ${given}: no module of that name outside the recurrent layers (modules: ${[...others.keys()].map((m) => `'${m}'`).join(', ') || 'none'}).`);
      return given;
    }
    let found = [...others].filter(([m, t]) => m !== taken && test(t)).map(([m]) => m);
    if (found.length > 1) found = found.filter((m) => hint.test(m));
    if (found.length > 1) throw new CliError(`${file}: ${found.length} modules could be the ${what} (${found.map((m) => `'${m}'`).join(', ')}); name it with --${flag}.`);
    return found[0];
  };
  const embedding = pick('embedding', 'embedding', flags.embedding, isEmbedding, /emb/i);
  const head = pick('linear head', 'head', flags.head, isHead, /head|linear|fc|out|dec|proj|logit|classifier/i, embedding);
  for (const [mod, ts] of others) {
    if (mod === embedding || mod === head) continue;
    const [name, t] = [...ts][0]!;
    const full = mod ? `${mod}.${name}` : name;
    throw new CliError(`${file}: tensor '${full}' ${fmtShape(t.shape)} is not part of an embedding [V, ${first.inputSize}] → recurrent → linear [O, ${K}] chain; rnnkit import reads nn.Embedding, nn.RNN/LSTM/GRU and nn.Linear modules only (name them with --embedding / --head).`);
  }
  const net = fromPytorchNetworkStateDict(
    tensors,
    { stacks: [...stackModules], ...(embedding !== undefined ? { embedding } : {}), ...(head !== undefined ? { head } : {}) },
    { activation: flags.nonlinearity, ...(flags.cell ? { kind: flags.cell } : {}) },
  );
  return net;
}

function importTfjs(file: string): InteropNetwork {
  let model: TfjsModelJson;
  try {
    model = JSON.parse(readFileSync(file, 'utf8')) as TfjsModelJson;
  } catch (e) {
    throw new CliError(`${file}: not a tfjs model.json (${(e as Error).message.replace(/\s+/g, ' ')}).`);
  }
  const dir = dirname(file);
  return importTfjsModel(model, (path: string) => {
    try {
      return readFileSync(join(dir, path));
    } catch {
      throw new CliError(`${file}: its weightsManifest lists the shard '${path}', but ${join(dir, path)} cannot be read.`);
    }
  });
}

/** Why a network is not a char-lm (rnnkit sample's model), or undefined when it is one. */
function notCharLm(net: InteropNetwork): string | undefined {
  if (!net.embedding) return 'it has no embedding';
  if (!net.head) return 'it has no linear head';
  if (!net.head.bias) return 'its linear head has no bias';
  if (net.stacks.length !== 1) return `it has ${net.stacks.length} recurrent stacks, a char-lm one`;
  const s = net.stacks[0]!.spec;
  if (s.bidirectional) return 'its recurrent layers are bidirectional';
  if (s.bias === false) return 'its recurrent layers have no biases';
  if (s.kind === 'rnn' && (s.activation ?? 'tanh') !== 'tanh') return `its RNN uses ${s.activation}, a char-lm's RNN tanh`;
  if (s.kind === 'gru' && s.resetAfter === false) return 'its GRU is reset-before, a char-lm\'s GRU reset-after';
  if (s.kind === 'lstm' && (s.projSize || s.peepholes || s.cellClip !== undefined)) return 'its LSTM has a projection, peepholes or cell clipping';
  const [V] = net.embedding.weight.shape as [number, number];
  const [O] = net.head.weight.shape as [number, number];
  if (O !== V) return `its head gives ${O} outputs for a vocabulary of ${V} (embedding ${fmtShape(net.embedding.weight.shape)})`;
  return undefined;
}

/** A JSON copy of a spec (no undefined fields). */
function specJson(spec: RecurrentSpec): RecurrentSpec {
  return JSON.parse(JSON.stringify(spec)) as RecurrentSpec;
}

function upload(backend: Backend, stack: RecurrentStack): ParamTree {
  const cell = (p: Readonly<Record<string, HostTensor>>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toTensor(v, backend)]));
  return { layers: stack.params.layers.map((l) => (l.reverse ? { forward: cell(l.forward), reverse: cell(l.reverse) } : { forward: cell(l.forward) })) };
}

function readVocab(file: string): CharVocab {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`--vocab ${file}: no such file.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (json !== null && typeof json === 'object' && (json as { format?: unknown }).format === 'rnnkit.vocab') {
    const vocab = vocabFromJSON(json);
    if (!(vocab instanceof CharVocab)) throw new CliError(`--vocab ${file}: a ${vocab.kind} vocabulary; a char-lm needs a character one.`);
    return vocab;
  }
  return CharVocab.fromText(text);
}

export async function importCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('import', argv, {
    from: { type: 'string' }, out: { type: 'string' }, cell: { type: 'string' }, vocab: { type: 'string' }, nonlinearity: { type: 'string' },
    embedding: { type: 'string' }, head: { type: 'string' }, help: { type: 'boolean' },
  });
  if (values.help) return void process.stdout.write(IMPORT_HELP);
  if (positionals.length !== 1) throw new CliError('rnnkit import: give exactly one model file (see rnnkit import --help)', 2);
  if (values.from === undefined) throw new CliError('rnnkit import: say which format with --from pytorch, --from tfjs or --from onnx (see rnnkit import --help)', 2);
  const from = choiceFlag('from', values.from, ['pytorch', 'tfjs', 'onnx'] as const, 'pytorch');
  const cell = values.cell === undefined ? undefined : choiceFlag('cell', values.cell, ['lstm', 'gru', 'rnn'] as const, 'lstm');
  const nonlinearity = choiceFlag('nonlinearity', values.nonlinearity, ['tanh', 'relu'] as const, 'tanh');
  if (from !== 'pytorch') for (const f of ['nonlinearity', 'embedding', 'head'] as const) if (values[f] !== undefined) throw new CliError(`rnnkit import: --${f} is for --from pytorch (a ${from} model records it).`, 2);
  const file = positionals[0]!;
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new CliError(`${file}: no such file.`);
  }
  if (!isFile) throw new CliError(`${file}: not a file; give the model file itself${from === 'tfjs' ? ' (the model.json)' : ''}.`);
  const vocab = values.vocab === undefined ? undefined : readVocab(values.vocab);

  let net: InteropNetwork;
  try {
    net =
      from === 'pytorch'
        ? importPytorch(file, { nonlinearity, ...(cell ? { cell } : {}), ...(values.embedding !== undefined ? { embedding: values.embedding } : {}), ...(values.head !== undefined ? { head: values.head } : {}) })
        : from === 'tfjs'
          ? importTfjs(file)
          : importOnnx(readFileSync(file)).network;
  } catch (e) {
    if (e instanceof RnnkitError && !(e instanceof CliError)) throw new CliError(`${file}: ${e.message.split('\n')[0]}`);
    throw e;
  }
  for (const [i, s] of net.stacks.entries())
    if (cell && s.spec.kind !== cell) throw new CliError(`${file}: --cell ${cell}, but recurrent stack ${i} is an ${s.spec.kind} (weight_hh ${fmtShape(s.params.layers[0]!.forward['weight_hh']!.shape)}).`);
  for (let i = 1; i < net.stacks.length; i++) {
    const [a, b] = [net.stacks[i - 1]!.spec, net.stacks[i]!.spec];
    if (stackOutputSize(a) !== b.inputSize) throw new CliError(`${file}: recurrent stack ${i - 1} gives ${stackOutputSize(a)} features but stack ${i} takes ${b.inputSize}; they do not chain.`);
  }

  const backend = createCpuBackend();
  const why = notCharLm(net);
  const outDir = resolve(values.out ?? 'rnnkit-import');
  const path = join(outDir, CHECKPOINT_FILE);
  const extra = { importedFrom: { format: from, file: resolve(file) } };
  let checkpoint: Checkpoint;
  if (why === undefined) {
    const spec = net.stacks[0]!.spec;
    const [V, E] = net.embedding!.weight.shape as [number, number];
    if (vocab && vocab.size !== V)
      throw new CliError(`--vocab ${values.vocab}: the vocabulary has ${vocab.size} tokens, but the model's embedding has shape ${fmtShape(net.embedding!.weight.shape)} (${V} tokens).`);
    const config: CharModelConfig = { kind: 'char-lm', cell: spec.kind, vocabSize: V, embedding: E, hidden: spec.hiddenSize, layers: spec.numLayers, dropout: 0 };
    const head: Record<string, Tensor> = { weight: toTensor(net.head!.weight, backend), bias: toTensor(net.head!.bias!, backend) };
    checkpoint = {
      params: { embedding: { weight: toTensor(net.embedding!.weight, backend) }, recurrent: upload(backend, net.stacks[0]!), head },
      config: config as unknown as Checkpoint['config'],
      ...(vocab ? { vocab } : {}),
      extra,
    };
  } else {
    if (vocab) throw new CliError(`--vocab: the imported model is not a char-lm (${why}), so rnnkit sample cannot use it; import it without --vocab.`);
    const config: ImportedNetworkConfig = { kind: 'interop-network', stacks: net.stacks.map((s) => specJson(s.spec)), embedding: Boolean(net.embedding), head: Boolean(net.head) };
    const head = net.head ? { weight: toTensor(net.head.weight, backend), ...(net.head.bias ? { bias: toTensor(net.head.bias, backend) } : {}) } : undefined;
    checkpoint = {
      params: {
        ...(net.embedding ? { embedding: { weight: toTensor(net.embedding.weight, backend) } } : {}),
        stacks: net.stacks.map((s) => upload(backend, s)),
        ...(head ? { head } : {}),
      },
      config: config as unknown as Checkpoint['config'],
      extra,
    };
  }
  await saveCheckpoint(path, checkpoint, { keepPrevious: false });
  const kind = why === undefined ? 'char-lm' : 'interop-network';
  const lines = [`${file} (${from}): ${describeNetwork(net)}`, `wrote ${path} (${kind})`];
  if (why !== undefined) lines.push(`not a char-lm (${why}): rnnkit info reads it and rnnkit export writes it back; rnnkit sample cannot run it`);
  else if (!vocab) lines.push(`no vocabulary: rnnkit info reads it; rnnkit sample needs one — import again with --vocab FILE (a .vocab.json from rnnkit export, or the training text)`);
  else lines.push(`vocabulary of ${vocab.size} tokens: rnnkit sample ${path}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
