import {
  fail, fmtShape, reshape, sameShape, treeFlatten, treeMap, type ParamTree, type Tensor, type Tree,
} from '@rnnkit/tensor';

const show = (path: string): string => `'${path || '(root)'}'`;

/**
 * Combines trees leaf by leaf, matched by path. The first tree gives the result its structure.
 * A missing or extra path, or a shape or dtype mismatch, fails with a message naming the path.
 */
export function zipLeaves<R>(
  op: string,
  trees: readonly (readonly [label: string, tree: ParamTree])[],
  fn: (leaves: Tensor[], path: string) => R,
): Tree<R> {
  const rows = matchLeaves(op, trees);
  const results = new Map(rows.map(([path, leaves]) => [path, fn(leaves, path)]));
  return treeMap<ParamTree, R>(trees[0]![1], (_, path) => results.get(path) as R);
}

/** Like zipLeaves for a function returning several tensors per leaf: one tree per key. */
export function unzipLeaves<T extends Record<string, Tensor | undefined>>(
  op: string,
  trees: readonly (readonly [label: string, tree: ParamTree])[],
  fn: (leaves: Tensor[], path: string) => T,
): { [K in keyof T]-?: ParamTree } {
  const rows = matchLeaves(op, trees);
  const results = new Map(rows.map(([path, leaves]) => [path, fn(leaves, path)]));
  const first = results.values().next().value ?? {};
  const out: Record<string, ParamTree> = {};
  for (const [k, v] of Object.entries(first)) if (v !== undefined) out[k] = treeMap(trees[0]![1], (_, path) => results.get(path)![k]!);
  return out as { [K in keyof T]-?: ParamTree };
}

function matchLeaves(op: string, trees: readonly (readonly [label: string, tree: ParamTree])[]): [string, Tensor[]][] {
  const [refLabel, refTree] = trees[0]!;
  const ref = treeFlatten(refTree);
  const refPaths = new Set(ref.map(([p]) => p));
  const others = trees.slice(1).map(([label, tree]) => [label, new Map(treeFlatten(tree))] as const);
  for (const [label, leaves] of others) {
    const missing = ref.find(([p]) => !leaves.has(p));
    if (missing) fail(`${op}: ${label} has no entry ${show(missing[0])}, which ${refLabel} has; ${hint(refLabel, label)}`);
    const extra = [...leaves.keys()].find((p) => !refPaths.has(p));
    if (extra !== undefined) fail(`${op}: ${label} has an entry ${show(extra)} that ${refLabel} lacks; ${hint(refLabel, label)}`);
    for (const [path, a] of ref) {
      const b = leaves.get(path)!;
      if (!sameShape(a.shape, b.shape) || a.dtype !== b.dtype)
        fail(`${op}: ${show(path)} is ${fmtShape(a.shape)} ${a.dtype} in ${refLabel} but ${fmtShape(b.shape)} ${b.dtype} in ${label}; ${hint(refLabel, label)}`);
    }
  }
  return ref.map(([path, leaf]) => [path, [leaf, ...others.map(([, m]) => m.get(path)!)]]);
}

function hint(a: string, b: string): string {
  return `${a} and ${b} must have the same tree of tensors as the parameters given to init (valueAndGrad returns gradients in that tree).`;
}

/** A new owner of `t` sharing its memory (no copy), tracked by scope like any op result. */
export function alias(t: Tensor): Tensor {
  return reshape(t, t.shape);
}

/** The first tensor of a tree: it decides the backend (and default dtype) of counters. */
export function firstLeaf(op: string, tree: ParamTree): Tensor {
  const leaves = treeFlatten(tree);
  if (leaves.length === 0) fail(`${op}: the parameter tree holds no tensors; pass the parameters to optimise.`);
  return leaves[0]![1];
}

/** Checks that a state object has the fields this transform keeps. */
export function checkState(op: string, state: unknown, keys: readonly string[]): void {
  const ok = typeof state === 'object' && state !== null && !Array.isArray(state);
  const have = ok ? Object.keys(state) : [];
  const missing = keys.find((k) => !have.includes(k));
  if (!ok || missing !== undefined)
    fail(
      `${op}: the state ${ok ? `has no '${missing}' (it has ${have.length ? have.map((k) => `'${k}'`).join(', ') : 'no fields'})` : `is ${Array.isArray(state) ? 'an array' : String(state)}`}; ` +
        'it was made by a different optimiser or options. Pass the state returned by this transform\'s init or last update.',
    );
}

/** Fails unless `params` was given (transforms that read the parameters need it). */
export function requireParams(op: string, params: ParamTree | undefined): ParamTree {
  if (params === undefined) fail(`${op}: needs the current parameters; call update(grads, state, params).`);
  return params;
}

/** Stateless transforms check they were given an empty state, so a mix-up of states is caught. */
export function checkEmptyState(op: string, state: unknown): void {
  const ok = typeof state === 'object' && state !== null && !Array.isArray(state) && Object.keys(state).length === 0;
  if (!ok)
    fail(
      `${op}: this transform keeps no state, but it was given ${Array.isArray(state) ? 'an array' : typeof state === 'object' && state !== null ? `a state with ${Object.keys(state).map((k) => `'${k}'`).join(', ')}` : String(state)}; ` +
        'it was made by a different optimiser. Pass the state returned by this transform\'s init or last update.',
    );
}
