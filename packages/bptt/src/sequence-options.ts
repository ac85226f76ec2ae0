import type { CellState, StepTap, Tensor } from '@rnnkit/tensor';

/** How a batch of sequences is laid out and run. Shapes: xs [T, B, I] (time-major). */
export interface ScanOptions<S extends CellState = CellState> {
  /** State before the first step, each [B, size]; zeros when omitted. Not disposed by the scan. */
  readonly initialState?: S;
  /** Valid steps per sequence (1 ≤ length ≤ T), on the host. Steps beyond it are padding. */
  readonly lengths?: readonly number[] | Int32Array;
  /** Which steps are valid, bool or 0/1 float [B, T]; an alternative to `lengths` (any pattern). */
  readonly mask?: Tensor;
  /** Where padding sits when `lengths` is given: after the data (default) or before it. */
  readonly padding?: 'right' | 'left';
  /** Run from the last valid step to the first (each sequence's own, with lengths or a mask). */
  readonly reverse?: boolean;
  /** Skip rows whose sequence has ended instead of masking them (needs `lengths`): real compute saved. */
  readonly packed?: boolean;
  /** Use the backend's fused whole-sequence kernel when the cell and options allow (default true). */
  readonly fused?: boolean;
  /** Per-step observer (diagnostics); attaching one selects the composite path. */
  readonly tap?: StepTap<S>;
  /** Reported to the tap. */
  readonly layer?: number;
}

/** Outputs of a scan: ys [T, B, O] (zero at padded steps) and the state at each sequence's last valid step. */
export interface ScanResult<S extends CellState = CellState> {
  readonly ys: Tensor;
  readonly state: S;
}
