import {
  concat, fail, fmtShape, gather, narrow, reshape, scope, select, split, squeeze, stack, tensor, unscoped, where, zeros,
  type Cell, type CellState, type ParamTree, type StepResult, type Tensor,
} from '@rnnkit/tensor';
import { gradTap } from './grad-tap.js';
import { checkLengths, isValid, maskFromLengths, timeMajorMask } from './internal/masks.js';
import { checkInitialState, disposeState, mapState } from './internal/state.js';
import { fusedScan, canUseFused } from './fused-scan.js';
import type { ScanOptions, ScanResult } from './sequence-options.js';

/**
 * Runs `cell` over a batch of sequences xs: [T, B, I] and returns every output [T, B, O] and the
 * final state. Differentiable end to end (full BPTT when called under valueAndGrad). Variable
 * lengths come as `lengths` (right or left padding), a `mask`, or `packed` (finished rows are not
 * computed). Padded steps output zero and leave the state unchanged, so the final state is each
 * sequence's own last valid step, also in `reverse`.
 */
export function scan<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, params: P, xs: Tensor, options: ScanOptions<S> = {}): ScanResult<S> {
  if (xs.rank !== 3 || xs.shape[2] !== cell.inputSize)
    fail(`scan(${cell.kind}): xs must be [T, B, ${cell.inputSize}] (time-major, ${cell.inputSize} input features), got ${fmtShape(xs.shape)}.`);
  if (xs.dtype !== cell.dtype) fail(`scan(${cell.kind}): xs is ${xs.dtype} but the cell computes in ${cell.dtype}; cast the input or create the cell with dtype '${xs.dtype}'.`);
  const [T, B] = xs.shape as [number, number];
  if (T === 0) fail(`scan(${cell.kind}): the sequence is empty (T = 0).`);
  if (options.lengths && options.mask) fail('scan: give either lengths or mask, not both.');
  if (options.packed && !options.lengths) fail('scan: packed needs lengths (one per sequence).');
  if (options.initialState) checkInitialState(cell, options.initialState, B);
  const lengths = options.lengths ? checkLengths(options.lengths, T, B) : undefined;
  const padding = options.padding ?? 'right';
  if (canUseFused(cell, xs.backend, options, padding)) return fusedScan(cell, params, xs, lengths, options);
  if (options.packed && lengths) return packedScan(cell, params, xs, lengths, padding, options);
  return maskedScan(cell, params, xs, lengths, padding, options);
}

function stepOf<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, params: P, projected: boolean) {
  return (state: S, x: Tensor): StepResult<S> => (projected ? cell.stepProjected!(params, state, x) : cell.step(params, state, x));
}

// Routes a step's new state through a gradient tap (when one listens), so the backward reports
// ∂L/∂state_t through the output and every later step; y follows the tapped state when it is one.
function tapGradients<S extends CellState>(options: ScanOptions<S>, t: number, res: StepResult<S>): StepResult<S> {
  const onStateGrad = options.tap?.onStateGrad;
  if (!onStateGrad) return res;
  const names = Object.keys(res.state);
  const before = names.map((k) => res.state[k]!);
  const tapped = gradTap(before, (cts) => {
    const grad: Record<string, Tensor> = {};
    names.forEach((k, i) => {
      if (cts[i]) grad[k] = cts[i];
    });
    unscoped(() => onStateGrad({ t, layer: options.layer ?? 0, direction: options.reverse ? 'reverse' : 'forward', grad: grad }));
  });
  const state = Object.fromEntries(names.map((k, i) => [k, tapped[i]!])) as S;
  const yIndex = before.indexOf(res.y);
  return { state, y: yIndex >= 0 ? tapped[yIndex]! : res.y, aux: res.aux };
}

// Shows a finished step to the tap.
function observe<S extends CellState>(options: ScanOptions<S>, t: number, state: S, y: Tensor, aux: StepResult<S>['aux']): S {
  const onStep = options.tap?.onStep;
  if (onStep) unscoped(() => onStep({ t, layer: options.layer ?? 0, direction: options.reverse ? 'reverse' : 'forward', state, y, aux }));
  return state;
}

// Cells often return their new h as y; the output needs its own owner, since old states are freed.
function ownOutput(y: Tensor, state: CellState): Tensor {
  return Object.values(state).includes(y) ? reshape(y, y.shape) : y;
}

function maskedScan<P extends ParamTree, S extends CellState>(
  cell: Cell<P, S>, params: P, xs: Tensor, lengths: number[] | undefined, padding: 'right' | 'left', options: ScanOptions<S>,
): ScanResult<S> {
  const [T, B] = xs.shape as [number, number];
  const backend = xs.backend;
  return scope(() => {
    const projected = Boolean(cell.project && cell.stepProjected);
    const inputs = projected ? cell.project!(params, xs) : xs;
    const mask = lengths ? maskFromLengths(backend, lengths, T, padding) : options.mask ? timeMajorMask(options.mask, T, B) : undefined;
    const step = stepOf(cell, params, projected);
    // One split into steps (one concat in the backward), rather than a slice per step whose
    // gradient would be padded back to [T, …] every time.
    const rows = split(inputs, T, 0);
    let state = options.initialState ?? cell.zeroState(B, backend);
    const ys: Tensor[] = new Array<Tensor>(T);
    for (let k = 0; k < T; k++) {
      const t = options.reverse ? T - 1 - k : k;
      const prev = state;
      const next = scope(() => {
        const res = tapGradients(options, t, step(prev, squeeze(rows[t]!, 0)));
        if (!mask) return { state: observe(options, t, res.state, res.y, res.aux), y: ownOutput(res.y, res.state) };
        const m = select(mask, 0, t); // [B, 1]
        const kept = mapState(res.state, (s, name) => where(m, s, prev[name]!));
        const y = where(m, res.y, 0);
        return { state: observe(options, t, kept, y, res.aux), y };
      });
      if (prev !== options.initialState) disposeState(prev); // a tape keeps its own reference
      state = next.state;
      ys[t] = next.y;
    }
    return { ys: stack(ys, 0), state };
  });
}

// Rows sorted by length (longest first), so the rows still running at any step are a prefix.
function packedScan<P extends ParamTree, S extends CellState>(
  cell: Cell<P, S>, params: P, xs: Tensor, lengths: number[], padding: 'right' | 'left', options: ScanOptions<S>,
): ScanResult<S> {
  const [T, B, I] = xs.shape as [number, number, number];
  const backend = xs.backend;
  const order = Array.from({ length: B }, (_, b) => b).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const inverse = new Int32Array(B);
  order.forEach((b, i) => (inverse[b] = i));
  const steps = Array.from({ length: T }, (_, k) => (options.reverse ? T - 1 - k : k));
  const active = steps.map((t) => order.filter((b) => isValid(t, lengths[b]!, T, padding)).length);
  // Gather the valid (t, b) rows, in processing order, into one [N, I] matrix: one GEMM projects them all.
  const rowIds = steps.flatMap((t, k) => order.slice(0, active[k]).map((b) => t * B + b));
  return scope(() => {
    const flat = reshape(xs, [T * B, I]);
    const packedX = gather(flat, tensor(backend, Int32Array.from(rowIds), [rowIds.length], 'i32'), 0);
    const projected = Boolean(cell.project && cell.stepProjected);
    const inputs = projected ? cell.project!(params, packedX) : packedX;
    const step = stepOf(cell, params, projected);
    const rows = split(inputs, active, 0); // the rows of each step, in processing order
    const orderIds = tensor(backend, Int32Array.from(order), [B], 'i32');
    let state = options.initialState ? mapState(options.initialState, (s) => gather(s, orderIds, 0)) : cell.zeroState(B, backend);
    const ys: Tensor[] = new Array<Tensor>(T);
    steps.forEach((t, k) => {
      const n = active[k]!;
      const prev = state;
      const next = scope(() => {
        if (n === 0) return { state: prev, y: zeros(backend, [B, cell.outputSize], cell.dtype) };
        const res = tapGradients(options, t, step(mapState(prev, (s) => narrow(s, 0, 0, n)), rows[k]!));
        const pad = (full: Tensor, part: Tensor) => (n === B ? part : concat([part, narrow(full, 0, n, B - n)], 0));
        const kept = mapState(res.state, (s, name) => pad(prev[name]!, s));
        const y = n === B ? ownOutput(res.y, res.state) : concat([res.y, zeros(backend, [B - n, cell.outputSize], cell.dtype)], 0);
        return { state: observe(options, t, kept, y, res.aux), y };
      });
      if (next.state !== prev && prev !== options.initialState) disposeState(prev);
      state = next.state;
      ys[t] = next.y;
    });
    const back = tensor(backend, inverse, [B], 'i32');
    return { ys: gather(stack(ys, 0), back, 1), state: mapState(state, (s) => gather(s, back, 0)) };
  });
}

