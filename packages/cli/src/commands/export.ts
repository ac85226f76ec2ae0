import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { CharVocab } from '@rnnkit/data';
import { encodeSafetensors, loadCheckpoint, type SafetensorsEntry } from '@rnnkit/io';
import {
  exportOnnx, stackFromParams, stackOutputSize, toHost, toPytorchNetworkStateDict, type InteropNetwork, type PytorchNetworkNames, type RecurrentSpec,
} from '@rnnkit/interop';
import { RnnkitError, fmtShape, type Tensor } from '@rnnkit/tensor';
import type { RecurrentParams } from '@rnnkit/bptt';
import { choiceFlag, parseFlags } from '../args.js';
import type { CharModelConfig } from '../char-model.js';
import { CliError } from '../cli-error.js';
import type { SeriesModelConfig } from '../series-model.js';

/** The torch module a char-lm checkpoint exported with `--to pytorch` loads into (state-dict names embedding.*, rnn.*, head.*). */
export const TORCH_CHAR_LM = `class CharLM(torch.nn.Module):
    def __init__(self, vocab_size, embedding, hidden, layers, cell):  # cell: 'LSTM', 'GRU' or 'RNN'
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, embedding)
        self.rnn = getattr(torch.nn, cell)(embedding, hidden, num_layers=layers)  # time-major; RNN: tanh
        self.head = torch.nn.Linear(hidden, vocab_size)

    def forward(self, ids, state=None):  # ids: int64 [T, B]
        ys, state = self.rnn(self.embedding(ids), state)
        return self.head(ys), state      # logits [T, B, V]`;

export const EXPORT_HELP = `rnnkit export <checkpoint> --to pytorch|onnx [--out FILE] — write an rnnkit model for PyTorch or ONNX

  --to pytorch   a PyTorch state dict as safetensors (torch's names: embedding.weight,
                 rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0, …, head.weight,
                 head.bias), which load_state_dict loads into this module:

                   import torch, safetensors.torch
${TORCH_CHAR_LM.replace(/^(?=.)/gm, '                   ')}

                   model = CharLM(V, E, H, L, 'LSTM')   # the export prints the exact call
                   model.load_state_dict(safetensors.torch.load_file('model.safetensors'))
  --to onnx      an ONNX model (opset 14) that onnxruntime runs: input 'ids' int64 [T, B],
                 output 'logits' float [T, B, V]; embedding (Gather) → one LSTM/GRU/RNN node per
                 layer (zero initial state) → linear head (MatMul + Add)
  --out FILE     where to write (default: beside the checkpoint, NAME.pytorch.safetensors or NAME.onnx)

A char-lm's vocabulary goes to FILE's name with .vocab.json (token i is row i of the embedding);
rnnkit import --vocab reads it back. Forecasters (rnnkit train <csv>) export as recurrent → head
without an embedding (input 'x' float [T, B, F] standardised with the config's mean/std; the last
step's output is the forecast); models made by rnnkit import export with the same module names
(several recurrent stacks: rnn0, rnn1, …). What the target cannot compute exactly (a reset-before
GRU, peepholes or cell clipping to PyTorch; an LSTM projection to ONNX) is refused, saying why.
`;

/** The layout of a checkpoint that rnnkit import writes for networks other than a char-lm. */
export interface ImportedNetworkConfig {
  readonly kind: 'interop-network';
  readonly stacks: readonly RecurrentSpec[];
  readonly embedding: boolean;
  readonly head: boolean;
}

type HostParams = { readonly weight: Tensor; readonly bias?: Tensor };

function stack(spec: RecurrentSpec, params: unknown, path: string): InteropNetwork['stacks'][number] {
  try {
    return stackFromParams(spec, params as RecurrentParams<Record<string, Tensor>>);
  } catch (e) {
    throw new CliError(`${path}: the recurrent parameters do not match the checkpoint's config: ${(e as Error).message.split('\n')[0]}`);
  }
}

function linearOf(p: HostParams | undefined): InteropNetwork['head'] {
  if (!p) return undefined;
  return p.bias ? { weight: toHost(p.weight), bias: toHost(p.bias) } : { weight: toHost(p.weight) };
}

/** What an rnnkit checkpoint holds, as an interop network, with the vocabulary of a char-lm. */
export async function networkOfCheckpoint(path: string): Promise<{ net: InteropNetwork; kind: string; vocab?: CharVocab; config: Record<string, unknown> }> {
  const backend = createCpuBackend();
  const checkpoint = await loadCheckpoint(path, backend);
  const config = (checkpoint.config ?? {}) as Record<string, unknown>;
  const params = checkpoint.params as Record<string, unknown>;
  const kind = typeof config['kind'] === 'string' ? config['kind'] : '';
  if (kind === 'char-lm') {
    const c = config as unknown as CharModelConfig;
    const spec = specOf(c.cell, c.embedding, c.hidden, c.layers);
    const p = params as { embedding: HostParams; recurrent: unknown; head: HostParams };
    const net: InteropNetwork = { embedding: { weight: toHost(p.embedding.weight) }, stacks: [stack(spec, p.recurrent, path)], head: linearOf(p.head)! };
    const vocab = checkpoint.vocab instanceof CharVocab ? checkpoint.vocab : undefined;
    return { net, kind, config, ...(vocab ? { vocab } : {}) };
  }
  if (kind === 'series-forecast') {
    const c = config as unknown as SeriesModelConfig;
    const p = params as { recurrent: unknown; head: HostParams };
    return { net: { stacks: [stack(specOf(c.cell, c.columns.length, c.hidden, c.layers), p.recurrent, path)], head: linearOf(p.head)! }, kind, config };
  }
  if (kind === 'interop-network') {
    const c = config as unknown as ImportedNetworkConfig;
    const p = params as { embedding?: HostParams; stacks: unknown[]; head?: HostParams };
    const head = linearOf(p.head);
    const net: InteropNetwork = {
      ...(p.embedding ? { embedding: { weight: toHost(p.embedding.weight) } } : {}),
      stacks: c.stacks.map((spec, i) => stack(spec, p.stacks[i], path)),
      ...(head ? { head } : {}),
    };
    return { net, kind, config };
  }
  throw new CliError(`${path}: a checkpoint of kind '${kind || 'unknown'}' cannot be exported; rnnkit export takes char-lm and series-forecast checkpoints (rnnkit train) and those of rnnkit import.`);
}

/** The @rnnkit/cells defaults the CLI's models use: biases, GRU reset-after, RNN tanh. */
function specOf(cell: string, inputSize: number, hidden: number, layers: number): RecurrentSpec {
  const kind = cell === 'gru' ? 'gru' : cell === 'rnn' ? 'rnn' : 'lstm';
  return {
    kind, inputSize, hiddenSize: hidden, numLayers: layers, bidirectional: false, bias: true,
    ...(kind === 'rnn' ? { activation: 'tanh' as const } : {}),
    ...(kind === 'gru' ? { resetAfter: true } : {}),
  };
}

/** Module names of an exported network: embedding, rnn (or rnn0, rnn1, … for several stacks), head. */
export function pytorchNames(net: InteropNetwork): PytorchNetworkNames {
  return {
    ...(net.embedding ? { embedding: 'embedding' } : {}),
    stacks: net.stacks.length === 1 ? ['rnn'] : net.stacks.map((_, i) => `rnn${i}`),
    ...(net.head ? { head: 'head' } : {}),
  };
}

/** One line per part: embedding [V, E] → lstm 2×256 → linear [O, K]. */
export function describeNetwork(net: InteropNetwork): string {
  const parts: string[] = [];
  if (net.embedding) parts.push(`embedding ${fmtShape(net.embedding.weight.shape)}`);
  for (const { spec } of net.stacks) {
    const extras = [
      spec.bidirectional ? 'bidirectional' : '',
      spec.kind === 'rnn' ? (spec.activation ?? 'tanh') : '',
      spec.kind === 'gru' ? (spec.resetAfter === false ? 'reset-before' : 'reset-after') : '',
      spec.projSize ? `projection ${spec.projSize}` : '',
      spec.peepholes ? 'peepholes' : '',
      spec.cellClip !== undefined ? `cell clip ${spec.cellClip}` : '',
      spec.bias === false ? 'no bias' : '',
    ].filter(Boolean);
    parts.push(`${spec.kind} ${spec.numLayers}×${spec.hiddenSize} (input ${spec.inputSize}${extras.length ? `, ${extras.join(', ')}` : ''})`);
  }
  if (net.head) parts.push(`linear ${fmtShape(net.head.weight.shape)}${net.head.bias ? '' : ' (no bias)'}`);
  return parts.join(' → ');
}

/** The file a vocabulary goes to beside an exported model: model.onnx → model.vocab.json. */
export function vocabPathFor(out: string): string {
  return `${out.replace(/(\.pytorch)?\.(safetensors|onnx)$/i, '')}.vocab.json`;
}

function torchCall(kind: string, config: Record<string, unknown>): string | undefined {
  if (kind !== 'char-lm') return undefined;
  const c = config as unknown as CharModelConfig;
  return `CharLM(vocab_size=${c.vocabSize}, embedding=${c.embedding}, hidden=${c.hidden}, layers=${c.layers}, cell='${c.cell.toUpperCase()}')`;
}

export async function exportCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags('export', argv, { to: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) return void process.stdout.write(EXPORT_HELP);
  if (positionals.length !== 1) throw new CliError('rnnkit export: give exactly one checkpoint file (see rnnkit export --help)', 2);
  if (values.to === undefined) throw new CliError('rnnkit export: say which format with --to pytorch or --to onnx (see rnnkit export --help)', 2);
  const to = choiceFlag('to', values.to, ['pytorch', 'onnx'] as const, 'pytorch');
  const path = positionals[0]!;
  const base = path.replace(/\.safetensors$/i, '');
  const out = values.out ?? (to === 'pytorch' ? `${base}.pytorch.safetensors` : `${base}.onnx`);
  if (resolve(out) === resolve(path)) throw new CliError(`rnnkit export: --out ${out} is the checkpoint itself; choose another file.`, 2);
  const { net, kind, vocab, config } = await networkOfCheckpoint(path);
  let bytes: Uint8Array;
  try {
    if (to === 'pytorch') {
      const entries = new Map<string, SafetensorsEntry>();
      for (const [name, t] of toPytorchNetworkStateDict(net, pytorchNames(net))) entries.set(name, { dtype: 'f32', shape: t.shape, data: t.data });
      bytes = encodeSafetensors(entries, { format: 'pt' });
    } else {
      bytes = exportOnnx(net, { outputName: kind === 'char-lm' ? 'logits' : 'output', producerName: 'rnnkit export' });
    }
  } catch (e) {
    if (e instanceof RnnkitError) throw new CliError(`rnnkit export --to ${to}: ${e.message.split('\n')[0]}`);
    throw e;
  }
  writeFileSync(out, bytes);
  const lines = [`${path} (${kind}): ${describeNetwork(net)}`, `wrote ${out} (${to === 'pytorch' ? 'PyTorch state dict, safetensors' : 'ONNX, opset 14'}, ${bytes.length} bytes)`];
  if (vocab) {
    const vp = vocabPathFor(out);
    writeFileSync(vp, `${JSON.stringify(vocab.toJSON())}\n`);
    lines.push(`wrote ${vp} (vocabulary, ${vocab.size} tokens; rnnkit import --vocab ${vp})`);
  }
  const call = torchCall(kind, config);
  if (to === 'pytorch' && call) lines.push(`load it in PyTorch: model = ${call}; model.load_state_dict(safetensors.torch.load_file('${out}'))  (CharLM: see rnnkit export --help)`);
  if (to === 'onnx') lines.push(`inputs: ${net.embedding ? "'ids' int64 [T, B]" : `'x' float [T, B, ${net.stacks[0]!.spec.inputSize}]`}; output: '${kind === 'char-lm' ? 'logits' : 'output'}' float [T, B, ${net.head?.weight.shape[0] ?? stackOutputSize(net.stacks[net.stacks.length - 1]!.spec)}]`);
  if (kind === 'series-forecast') {
    const c = config as unknown as SeriesModelConfig;
    lines.push(`inputs are standardised per column (${c.columns.join(', ')}): mean ${JSON.stringify(c.mean)}, std ${JSON.stringify(c.std)}; the last step's output is the forecast`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
