import { fail, fmtShape, type Cell, type CellState, type Tensor } from '@rnnkit/tensor';

/** Applies `fn` to every tensor of a state, keeping the names. */
export function mapState<S extends CellState>(state: S, fn: (t: Tensor, name: string) => Tensor): S {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(state)) out[k] = fn(v, k);
  return out as S;
}

export function disposeState(state: CellState): void {
  for (const t of Object.values(state)) t.dispose();
}

/** Checks an initial state against the cell: names, [B, size] shapes and dtype. */
export function checkInitialState(cell: Cell, state: CellState, batch: number): void {
  for (const [name, size] of Object.entries<number>(cell.stateSizes)) {
    const s = state[name];
    if (!s) fail(`${cell.kind}: the initial state has no '${name}'; give { ${Object.keys(cell.stateSizes).join(', ')} } each [${batch}, size], or omit it for zeros.`);
    if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== size)
      fail(`${cell.kind}: initial state '${name}' must be [${batch}, ${size}] (batch ${batch}), got ${fmtShape(s.shape)}.`);
    if (s.dtype !== cell.dtype) fail(`${cell.kind}: initial state '${name}' is ${s.dtype} but the cell computes in ${cell.dtype}.`);
  }
}
