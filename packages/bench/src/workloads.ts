// The throughput workloads of BENCHMARKS.md, exactly as written there (keep them so numbers stay comparable).

export type CellKind = 'lstm' | 'gru' | 'rnn';
export type Mode = 'train' | 'infer';

export interface Workload {
  readonly id: string;
  /** 'lstm', 'gru' (reset-after) or 'rnn' (tanh). */
  readonly cell: CellKind;
  readonly I: number;
  readonly H: number;
  readonly B: number;
  readonly T: number;
  /** Head size (classes) on every step. */
  readonly V: number;
  readonly layers: number;
}

const V = 128;

export const WORKLOADS: readonly Workload[] = [
  { id: 'lstm-h256', cell: 'lstm', I: 128, H: 256, B: 32, T: 100, V, layers: 1 },
  { id: 'gru-h256', cell: 'gru', I: 128, H: 256, B: 32, T: 100, V, layers: 1 },
  { id: 'rnn-h256', cell: 'rnn', I: 128, H: 256, B: 32, T: 100, V, layers: 1 },
  { id: 'lstm-h512', cell: 'lstm', I: 128, H: 512, B: 64, T: 200, V, layers: 1 },
  { id: 'lstm-h256-small', cell: 'lstm', I: 128, H: 256, B: 8, T: 25, V, layers: 1 },
];

/** The rows brain.js runs on (BENCHMARKS.md: "Run brain.js on the h256 rows only"). */
export const H256_ROWS: readonly string[] = ['lstm-h256', 'gru-h256', 'rnn-h256'];

export function workloadById(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload '${id}'; known: ${WORKLOADS.map((x) => x.id).join(', ')}`);
  return w;
}

/** Gates per cell: G in the FLOP formula. */
export function gatesOf(cell: CellKind): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/**
 * FLOPs of one batch: per step per sequence 2·(I+H)·G·H + 2·H·V, times B·T; train counts 3× forward.
 */
export function flopsPerBatch(w: Pick<Workload, 'cell' | 'I' | 'H' | 'B' | 'T' | 'V'>, mode: Mode): number {
  const perStep = 2 * (w.I + w.H) * gatesOf(w.cell) * w.H + 2 * w.H * w.V;
  return perStep * w.B * w.T * (mode === 'train' ? 3 : 1);
}

export function tokensPerBatch(w: Pick<Workload, 'B' | 'T'>): number {
  return w.B * w.T;
}
