import { fail } from './errors.js';
import type { Tensor } from './tensor.js';

/**
 * Parameters (or gradients, or optimiser moments) as nested objects and arrays of tensors.
 * Object entries may be undefined (an optional parameter that is absent); they are skipped.
 */
export type ParamTree = Tensor | readonly ParamTree[] | { readonly [name: string]: ParamTree | undefined };

/** The same structure with every tensor replaced by `T`. */
export type TreeOf<P, T> = [P] extends [Tensor] ? T : [P] extends [Tensor | undefined] ? T | undefined : [ParamTree] extends [P] ? Tree<T> : { [K in keyof P]: TreeOf<P[K], T> };

/** A tree of any leaf type (what `TreeOf` gives for an unknown ParamTree). */
export type Tree<T> = T | readonly Tree<T>[] | { readonly [name: string]: Tree<T> | undefined };

function isLeaf(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && typeof (v as Tensor).retain === 'function';
}

// A string or number is neither a tensor nor a container (a string's entries are strings again, forever).
function requireBranch(v: unknown, path: string): void {
  if (typeof v !== 'object' || v === null)
    fail(`parameter tree: ${path ? `'${path}'` : 'the root'} is ${v === null ? 'null' : `a ${typeof v}`} (${String(v).slice(0, 40)}), not a tensor, array or object of tensors; optimiser states hold counters and settings too — dispose them with disposeState from @rnnkit/optim.`);
}

/** Leaves with their dotted paths ("layers.0.weight_ih"), in a fixed order (keys as written). */
export function treeFlatten(tree: ParamTree, prefix = ''): [path: string, leaf: Tensor][] {
  if (isLeaf(tree)) return [[prefix, tree]];
  requireBranch(tree, prefix);
  const entries: [string, ParamTree | undefined][] = Array.isArray(tree) ? tree.map((v, i) => [String(i), v as ParamTree]) : Object.entries(tree as Record<string, ParamTree | undefined>);
  return entries.flatMap(([k, v]) => (v === undefined ? [] : treeFlatten(v, prefix ? `${prefix}.${k}` : k)));
}

export function treeLeaves(tree: ParamTree): Tensor[] {
  return treeFlatten(tree).map(([, t]) => t);
}

/** Applies `fn` to every leaf (with its path), rebuilding the same structure. */
export function treeMap<P extends ParamTree, R>(tree: P, fn: (leaf: Tensor, path: string) => R, prefix = ''): TreeOf<P, R> {
  return mapAny(tree, fn, prefix) as TreeOf<P, R>;
}

function mapAny(tree: ParamTree, fn: (leaf: Tensor, path: string) => unknown, prefix: string): unknown {
  if (isLeaf(tree)) return fn(tree, prefix);
  requireBranch(tree, prefix);
  const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
  if (Array.isArray(tree)) return tree.map((v: ParamTree, i) => mapAny(v, fn, key(String(i))));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree as Record<string, ParamTree | undefined>)) if (v !== undefined) out[k] = mapAny(v, fn, key(k));
  return out;
}

/** Combines trees of the same structure leaf by leaf; a structural mismatch names the path. */
export function treeZip<P extends ParamTree, R>(trees: readonly ParamTree[], fn: (leaves: Tensor[], path: string) => R): TreeOf<P, R> {
  const flat = trees.map((t) => treeFlatten(t));
  const paths = flat[0]!.map(([p]) => p);
  for (const f of flat)
    if (f.length !== paths.length || f.some(([p], i) => p !== paths[i]))
      fail(`treeZip: trees differ in structure (paths ${paths.join(', ')} vs ${f.map(([p]) => p).join(', ')}).`);
  const results = new Map(paths.map((p, i) => [p, fn(flat.map((f) => f[i]![1]), p)]));
  return treeMap(trees[0] as P, (_, p) => results.get(p) as R);
}

export function treeDispose(tree: ParamTree): void {
  for (const t of treeLeaves(tree)) t.dispose();
}
