import { fail, fmtShape, treeFlatten, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { isRecord } from './json-tree.js';

/** A tree's structure with every tensor replaced by its entry name in the file. */
export type Skeleton = string | Skeleton[] | { [key: string]: Skeleton };

/** The skeleton of `tree` and its tensors, named `prefix + path`. */
export function skeletonOf(op: string, what: string, tree: ParamTree, prefix: string): { skeleton: Skeleton; leaves: [string, Tensor][] } {
  const leaves: [string, Tensor][] = [];
  const walk = (v: ParamTree, path: string): Skeleton => {
    if (isTensorLike(v)) {
      if (path === '') fail(`${op}: ${what} is a bare tensor, which has no name in the file; wrap it: { weight: t }.`);
      const name = prefix + path;
      leaves.push([name, v]);
      return name;
    }
    const key = (k: string) => (path ? `${path}.${k}` : k);
    if (Array.isArray(v)) return v.map((x: ParamTree, i) => walk(x, key(String(i))));
    if (!isRecord(v)) fail(`${op}: ${what}${path ? `.${path}` : ''} is not a tensor, array or plain object of tensors.`);
    const out: { [key: string]: Skeleton } = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (k.includes('.')) fail(`${op}: ${what} key '${key(k)}' contains a '.', which separates path segments in tensor names; rename it.`);
      out[k] = walk(x, key(k));
    }
    return out;
  };
  return { skeleton: walk(tree, ''), leaves };
}

/** Rebuilds a tree from its skeleton, taking each named tensor from `get`. */
export function fromSkeleton(skeleton: unknown, get: (name: string) => Tensor, bad: (problem: string) => never, what: string): ParamTree {
  const walk = (s: unknown): ParamTree => {
    if (typeof s === 'string') return get(s);
    if (Array.isArray(s)) return s.map(walk);
    if (isRecord(s)) return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, walk(v)]));
    return bad(`has a corrupt ${what} structure in its metadata.`);
  };
  return walk(skeleton);
}

/** Names of the skeleton's leaves, in order. */
export function skeletonNames(skeleton: unknown): string[] {
  if (typeof skeleton === 'string') return [skeleton];
  if (Array.isArray(skeleton)) return skeleton.flatMap(skeletonNames);
  if (isRecord(skeleton)) return Object.values(skeleton).flatMap(skeletonNames);
  return [];
}

/** Compares a template tree's names, shapes and dtypes with the file's; the first mismatch as a sentence. */
export function paramMismatch(template: ParamTree, found: ReadonlyMap<string, { shape: readonly number[]; dtype: string }>): string | undefined {
  const want = treeFlatten(template);
  const wanted = new Set(want.map(([p]) => p));
  for (const [path, t] of want) {
    const got = found.get(path);
    if (!got) return `has no parameter '${path}' (expected ${t.dtype} ${fmtShape(t.shape)}); it holds ${[...found.keys()].map((k) => `'${k}'`).join(', ') || 'none'}`;
    if (got.shape.length !== t.shape.length || got.shape.some((d, i) => d !== t.shape[i]))
      return `has parameter '${path}' of shape ${fmtShape(got.shape)}, but the model expects ${fmtShape(t.shape)}`;
    if (got.dtype !== t.dtype) return `has parameter '${path}' of dtype ${got.dtype}, but the model expects ${t.dtype}`;
  }
  for (const path of found.keys()) if (!wanted.has(path)) return `has a parameter '${path}' that the model does not have`;
  return undefined;
}

function isTensorLike(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && typeof (v as Tensor).retain === 'function' && typeof (v as Tensor).read === 'function';
}
