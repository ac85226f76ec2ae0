import { customVjp } from '@rnnkit/autograd';
import {
  activeTracers, add, fail, Tensor, tensor, type Backend, type Cell, type CellState, type FusedKernels, type ParamTree, type SequenceArgs, type SequenceForward,
  type View,
} from '@rnnkit/tensor';
import type { ScanOptions, ScanResult } from './sequence-options.js';

type RecurrentParams = { readonly weight_hh: Tensor; readonly bias_hh?: Tensor; readonly bias_ih?: Tensor };

/** Whether the backend's whole-sequence kernel can run this scan exactly. */
export function canUseFused(cell: Cell, backend: Backend, options: ScanOptions, padding: 'right' | 'left'): boolean {
  const k = cell.sequenceKernel;
  if (!k || options.fused === false || options.tap || options.mask || options.packed || padding !== 'right') return false;
  if (!cell.project) return false;
  const fused = backend.fused;
  if (!fused) return false;
  if (k.kind === 'rnn') return Boolean(fused.rnnSequence && fused.rnnSequenceBackward);
  if (k.kind === 'lstm') return Boolean(fused.lstmSequence && fused.lstmSequenceBackward);
  return Boolean(fused.gruSequence && fused.gruSequenceBackward);
}

/**
 * One fused kernel call for the whole recurrence, wrapped as a custom-gradient function whose
 * backward is the kernel's backward (recurrent weight gradient as one GEMM over T·B).
 */
export function fusedScan<P extends ParamTree, S extends CellState>(
  cell: Cell<P, S>, params: P, xs: Tensor, lengths: number[] | undefined, options: ScanOptions<S>,
): ScanResult<S> {
  const backend = xs.backend;
  const fused = backend.fused as Required<FusedKernels>;
  const kernel = cell.sequenceKernel!;
  const p = params as unknown as RecurrentParams;
  if (!p.bias_hh) fail(`scan(${cell.kind}): the fused path needs bias_hh; pass fused: false for a cell without biases.`);
  const [T, B] = xs.shape as [number, number];
  // RNN and LSTM use b_ih and b_hh only as their sum: add them once ([G·H]) rather than adding b_ih to
  // every step's projection ([T, B, G·H]) and reducing its gradient back. (GRU's b_hn sits inside r ⊙ ·.)
  const foldBias = kernel.kind !== 'gru' && p.bias_ih !== undefined;
  const xProj = cell.project!(foldBias ? { ...params, bias_ih: undefined } : params, xs);
  const bias = foldBias ? add(p.bias_ih, p.bias_hh) : p.bias_hh;
  const init = options.initialState ?? cell.zeroState(B, backend);
  const lengthsT = lengths ? tensor(backend, Int32Array.from(lengths), [B], 'i32') : undefined;
  const isLstm = kernel.kind === 'lstm';
  // Decided here, outside customVjp's forward (which runs untraced): with no tracer, nothing can ask for the backward.
  const forwardOnly = activeTracers().length === 0;
  // Inputs: xProj, h0, (c0), W_hh, b_hh, (lengths: i32, not differentiated).
  const inputs = [xProj, init['h']!, ...(isLstm ? [init['c']!] : []), p.weight_hh, bias, ...(lengthsT ? [lengthsT] : [])];
  const args = (ins: readonly Tensor[]): SequenceArgs & { c0: View } => {
    const [x, h0, ...rest] = ins as [Tensor, Tensor, ...Tensor[]];
    const [c0, wHh, bHh, lens] = isLstm ? (rest as [Tensor, Tensor, Tensor, Tensor?]) : [undefined, rest[0]!, rest[1]!, rest[2]];
    return {
      xProj: x.view('scan'), h0: h0.view('scan'), wHh: wHh.view('scan'), bHh: bHh.view('scan'),
      options: { lengths: lens?.view('scan'), reverse: options.reverse ?? false, forwardOnly },
      c0: (c0 ?? h0).view('scan'),
    };
  };
  const H = cell.hiddenSize;
  const wrap = (h: unknown, shape: number[]) => Tensor.fromHandle(backend, h as object, shape, cell.dtype);
  const run = customVjp(
    `${kernel.kind}Sequence`,
    (...ins) => {
      const a = args(ins);
      const f: SequenceForward =
        kernel.kind === 'rnn' ? fused.rnnSequence(a, kernel.activation) : kernel.kind === 'lstm' ? fused.lstmSequence(a) : fused.gruSequence(a, kernel.resetAfter);
      const outputs = [wrap(f.hs, [T, B, H]), wrap(f.hT, [B, H]), ...(isLstm ? [wrap(f.cT, [B, H])] : [])];
      // The backward gets the forward back whole: its outputs and its opaque saved activations.
      return { outputs, residuals: [...outputs, ...f.saved.map((h) => Tensor.fromOpaqueHandle(backend, h))] };
    },
    {
      vjp: (cts, residuals, ins) => {
        const a = args(ins);
        const [hs, hT, cT] = cts;
        const n = isLstm ? 3 : 2;
        const handle = (t: Tensor) => t.view('scan').handle;
        const fwd: SequenceForward = {
          hs: handle(residuals[0]!), hT: handle(residuals[1]!), ...(isLstm ? { cT: handle(residuals[2]!) } : {}),
          saved: residuals.slice(n).map(handle),
        };
        const grads = { dhs: hs?.view('scan'), dhT: hT?.view('scan'), dcT: cT?.view('scan') };
        const g =
          kernel.kind === 'rnn'
            ? fused.rnnSequenceBackward(a, fwd, grads, kernel.activation)
            : kernel.kind === 'lstm'
              ? fused.lstmSequenceBackward(a, fwd, grads)
              : fused.gruSequenceBackward(a, fwd, grads, kernel.resetAfter);
        const G = (xProj.shape[2] ?? 0) / H;
        const dx = wrap(g.dxProj, [T, B, G * H]);
        const dh0 = wrap(g.dh0, [B, H]);
        const dW = wrap(g.dWhh, [G * H, H]);
        const db = wrap(g.dbHh, [G * H]);
        for (const extra of [g.dhs, g.dcs]) if (extra) backend.free(extra);
        const lens = lengthsT ? [null] : [];
        if (isLstm) return [dx, dh0, wrap(g.dc0, [B, H]), dW, db, ...lens];
        if (g.dc0) backend.free(g.dc0);
        return [dx, dh0, dW, db, ...lens];
      },
    },
  );
  const outs = run(...inputs);
  xProj.dispose();
  if (foldBias) bias.dispose();
  lengthsT?.dispose();
  if (!options.initialState) for (const t of Object.values(init)) t.dispose();
  const [ys, hT, cT] = outs as [Tensor, Tensor, Tensor | undefined];
  return { ys, state: (isLstm ? { h: hT, c: cT! } : { h: hT }) as unknown as S };
}
