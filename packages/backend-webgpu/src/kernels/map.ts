import { RnnkitError } from '@rnnkit/tensor';
import type { BinaryOp, DType, UnaryOp } from '@rnnkit/tensor';
import type { Binding, GpuContext, Recorder } from '../internal/context.js';
import type { WebGpuHandle } from '../internal/handle.js';
import { coalesce, MAX_RANK, span, type Strided } from '../internal/layout.js';
import { BITS_WGSL, decode, encode, MAIN_ARGS, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';

/**
 * The one strided element-wise kernel: out[outOffset + Σ c·outStride] = f(in_k[offset_k + Σ c·stride_k])
 * over a shape, for up to three inputs. Unary, binary, where, cast, copy, concat and fill are all
 * this kernel with a different expression. Shapes, strides and offsets live in the uniform block,
 * so one pipeline per (expression, dtypes) serves every shape and layout.
 *
 * Uniform words: 0 n, 1 rank, 2 out base, 3 (unused, 0), 4.. shape, 4+R.. out strides,
 * then per input 1 + R words (offset, strides), then 1 word of constant (fill).
 */
const R = MAX_RANK;
const W_SHAPE = 4;
const W_OUT = W_SHAPE + R;
const W_IN = W_OUT + R;
const W_CONST = W_IN + 3 * (R + 1);

export type MapKind =
  | { kind: 'unary'; op: UnaryOp }
  | { kind: 'binary'; op: BinaryOp }
  | { kind: 'where' }
  | { kind: 'cast'; to: DType }
  | { kind: 'copy' }
  | { kind: 'fill' };

export interface MapInput {
  readonly handle: WebGpuHandle;
  readonly dtype: DType;
  readonly layout: Strided;
}

function unaryExpr(op: UnaryOp, d: DType): string {
  const x = decode(d, 'w0');
  if (op === 'isFinite') return d === 'f32' ? 'select(0u, 1u, finiteBits(w0))' : '1u';
  if (d === 'f32') {
    const e: Record<Exclude<UnaryOp, 'isFinite'>, string> = {
      neg: `-${x}`, abs: `abs(${x})`, sign: `sign(${x})`, exp: `exp(${x})`, log: `log(${x})`, sqrt: `sqrt(${x})`,
      tanh: `tanhF(${x})`, sigmoid: `sigmoidF(${x})`,
    };
    return encode(d, e[op]);
  }
  if (d === 'i32') {
    const f = `f32(${x})`;
    const e: Record<Exclude<UnaryOp, 'isFinite'>, string> = {
      neg: `-${x}`, abs: `abs(${x})`, sign: `select(select(0i, -1i, ${x} < 0i), 1i, ${x} > 0i)`,
      exp: `i32(exp(${f}))`, log: `i32(log(${f}))`, sqrt: `i32(sqrt(${f}))`, tanh: `i32(tanhF(${f}))`, sigmoid: `i32(sigmoidF(${f}))`,
    };
    return encode(d, e[op]);
  }
  // bool: compute on 0/1 as f32, store != 0.
  const f = `f32(w0)`;
  const e: Record<Exclude<UnaryOp, 'isFinite'>, string> = {
    neg: f, abs: f, sign: f, exp: `exp(${f})`, log: `log(${f})`, sqrt: f, tanh: `tanhF(${f})`, sigmoid: `sigmoidF(${f})`,
  };
  return `select(0u, 1u, ${e[op]} != 0.0)`;
}

function binaryExpr(op: BinaryOp, d: DType): string {
  const a = decode(d, 'w0');
  const b = decode(d, 'w1');
  const cmp: Partial<Record<BinaryOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
  if (cmp[op] !== undefined) return `select(0u, 1u, ${a} ${cmp[op]} ${b})`;
  if (d === 'f32') {
    const e: Record<string, string> = {
      add: `${a} + ${b}`, sub: `${a} - ${b}`, mul: `${a} * ${b}`, div: `${a} / ${b}`,
      pow: `powC(${a}, ${b})`, maximum: `max(${a}, ${b})`, minimum: `min(${a}, ${b})`,
    };
    return encode(d, e[op]!);
  }
  if (d === 'i32') {
    const e: Record<string, string> = {
      add: `${a} + ${b}`, sub: `${a} - ${b}`, mul: `${a} * ${b}`, div: `select(${a} / ${b}, 0i, ${b} == 0i)`,
      pow: `i32(powC(f32(${a}), f32(${b})))`, maximum: `max(${a}, ${b})`, minimum: `min(${a}, ${b})`,
    };
    return encode(d, e[op]!);
  }
  const e: Record<string, string> = {
    add: 'w0 + w1', sub: 'w0 - w1', mul: 'w0 * w1', div: 'select(0u, 1u, w1 != 0u && w0 != 0u)', pow: 'select(w0, 1u, w1 == 0u)',
    maximum: 'max(w0, w1)', minimum: 'min(w0, w1)',
  };
  return `select(0u, 1u, (${e[op]!}) != 0u)`;
}

function castExpr(from: DType, to: DType): string {
  if (from === to) return 'w0';
  if (to === 'bool') return from === 'f32' ? 'select(0u, 1u, (w0 & 0x7fffffffu) != 0u)' : 'select(0u, 1u, w0 != 0u)';
  if (to === 'f32') return from === 'i32' ? 'bitcast<u32>(f32(bitcast<i32>(w0)))' : 'bitcast<u32>(f32(w0))';
  // to i32
  if (from === 'f32') return 'select(0u, bitcast<u32>(i32(bitcast<f32>(w0))), finiteBits(w0))';
  return 'w0';
}

const POW_WGSL = /* wgsl */ `
fn powC(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (a < 0.0) {
    // Negative base: defined for integral exponents only.
    if (b != floor(b)) { var q = 0x7fc00000u; return bitcast<f32>(q); }
    let r = exp2(b * log2(-a));
    return select(r, -r, (i32(b) & 1) == 1);
  }
  if (a == 0.0) { var q = select(0u, 0x7f800000u, b < 0.0); return bitcast<f32>(q); }
  return exp2(b * log2(a));
}
`;

function expression(k: MapKind, dtypes: readonly DType[]): string {
  switch (k.kind) {
    case 'unary': return unaryExpr(k.op, dtypes[0]!);
    case 'binary': return binaryExpr(k.op, dtypes[0]!);
    case 'where': return 'select(w2, w1, w0 != 0u)';
    case 'cast': return castExpr(dtypes[0]!, k.to);
    case 'copy': return 'w0';
    case 'fill': return `m(${W_CONST}u)`;
  }
}

function kindKey(k: MapKind): string {
  switch (k.kind) {
    case 'unary':
    case 'binary': return `${k.kind}.${k.op}`;
    case 'cast': return `cast.${k.to}`;
    default: return k.kind;
  }
}

/**
 * The shader for one (expression, dtypes, rank): the walk over the axes is unrolled for the rank
 * (after merging axes), so a contiguous operand costs one multiply-add per element and no division,
 * and every uniform word is read at a constant index (dynamic indexing into the uniform block is
 * slow on software adapters).
 */
function shader(ctx: GpuContext, k: MapKind, dtypes: readonly DType[], rank: number): string {
  const decls = dtypes.map((_, i) => `@group(0) @binding(${i + 2}) var<storage, read> in${i}: array<u32>;`).join('\n');
  const init = dtypes.map((_, i) => `var p${i} = mi(${W_IN + i * (R + 1)}u);`).join(' ');
  const loads = dtypes.map((_, i) => `let w${i} = in${i}[u32(p${i})];`).join(' ');
  const walk: string[] = [];
  for (let d = rank - 1; d >= 0; d--) {
    // The outermost axis takes what is left (i < n), so it needs no modulo.
    const c = d === 0 ? 'rem' : `rem % m(${W_SHAPE + d}u)`;
    const step = dtypes.map((_, i) => `p${i} += c${d} * mi(${W_IN + i * (R + 1) + 1 + d}u);`).join(' ');
    walk.push(`let c${d} = i32(${c});${d > 0 ? ` rem = rem / m(${W_SHAPE + d}u);` : ''} o += c${d} * mi(${W_OUT + d}u); ${step}`);
  }
  return `${UNIFORM_WGSL}${BITS_WGSL}${POW_WGSL}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
${decls}
@compute @workgroup_size(${ctx.wg})
fn main(${MAIN_ARGS}) {
  let i = ${threadIndex(ctx.wg)};
  if (i >= m(0u)) { return; }
  var rem = i;
  var o = mi(2u);
  ${init}
  ${walk.join('\n  ')}
  ${loads}
  out[u32(o)] = ${expression(k, dtypes)};
}`;
}

export interface MapOutput {
  readonly handle: WebGpuHandle;
  readonly layout: Strided;
}

/**
 * Records the map kernel over `shape`. When every operand fits one storage binding the whole
 * shape is one dispatch; otherwise the shape is cut into blocks along its first axis whose
 * touched storage windows each fit the binding limit, and each block binds only its windows.
 */
export function recordMap(
  ctx: GpuContext,
  rec: Recorder,
  op: string,
  k: MapKind,
  shape: readonly number[],
  out: MapOutput,
  inputs: readonly MapInput[],
  constant = 0,
): void {
  const dtypes = inputs.map((x) => x.dtype);
  const c = coalesce(shape, [out.layout, ...inputs.map((x) => x.layout)]);
  const dims = c.shape;
  if (dims.length > R) {
    throw new RnnkitError(`${op}: a view of rank ${dims.length} after merging axes exceeds the WebGPU kernels' limit of ${R}; make it contiguous first (copy).`);
  }
  const total = dims.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  const handles = [out.handle, ...inputs.map((x) => x.handle)];
  const fits = handles.every((h) => h.length * 4 <= ctx.maxBinding);
  const blocks: Block[] = fits ? [{ shape: dims, layouts: c.layouts }] : plan(ctx, op, dims, c.layouts);
  for (const block of blocks) {
    const rank = block.shape.length;
    const pipeline = ctx.pipeline(`map:${kindKey(k)}:${dtypes.join(',')}:r${rank}`, () => shader(ctx, k, dtypes, rank));
    const n = block.shape.reduce((a, b) => a * b, 1);
    const words = new Int32Array(64);
    words[0] = n;
    words[1] = block.shape.length;
    block.shape.forEach((d, i) => (words[W_SHAPE + i] = d));
    const bindings: Binding[] = [];
    block.layouts.forEach((l, j) => {
      const h = handles[j]!;
      let base = 0;
      let size = h.length;
      if (!fits) {
        const [lo, hi] = span(block.shape, l);
        base = Math.floor(lo / ctx.alignElems) * ctx.alignElems;
        size = hi - base + 1;
      }
      bindings.push({ buffer: h.buffer, offset: base * 4, size: Math.max(1, size) * 4 });
      const w = j === 0 ? 2 : W_IN + (j - 1) * (R + 1);
      words[w] = l.offset - base;
      l.strides.forEach((st, i) => (words[(j === 0 ? W_OUT : w + 1) + i] = st));
    });
    words[W_CONST] = constant;
    rec.dispatch(pipeline, new Uint32Array(words.buffer), bindings, ctx.groups(n));
  }
}

interface Block {
  readonly shape: readonly number[];
  readonly layouts: readonly Strided[];
}

/**
 * Cuts a strided map into blocks whose touched storage windows (plus alignment slack) each fit
 * one binding: runs of whole rows along the first axis where they fit, else each row is cut the
 * same way along the next axis. A transposed view so large that no run of rows fits therefore
 * becomes many small blocks (correct, but slow: true 2-D tiling is not implemented).
 */
function plan(ctx: GpuContext, op: string, shape: readonly number[], layouts: readonly Strided[]): Block[] {
  if (blockFits(ctx, shape, layouts)) return [{ shape, layouts }];
  if (shape.length === 0) throw new RnnkitError(`${op}: the storage binding limit (${ctx.maxBinding} bytes) is too small for a single element.`);
  const n0 = shape[0]!;
  const rest = shape.slice(1);
  const shifted = (a: number): Strided[] => layouts.map((l) => ({ offset: l.offset + a * l.strides[0]!, strides: l.strides }));
  const blocks: Block[] = [];
  let a0 = 0;
  while (a0 < n0) {
    const at = shifted(a0);
    if (!blockFits(ctx, [1, ...rest], at)) {
      blocks.push(...plan(ctx, op, rest, at.map((l) => ({ offset: l.offset, strides: l.strides.slice(1) }))));
      a0++;
      continue;
    }
    let len = 1;
    while (a0 + len * 2 <= n0 && blockFits(ctx, [len * 2, ...rest], at)) len *= 2;
    while (a0 + len < n0 && blockFits(ctx, [len + 1, ...rest], at)) len++;
    blocks.push({ shape: [len, ...rest], layouts: at });
    a0 += len;
  }
  return blocks;
}

function blockFits(ctx: GpuContext, shape: readonly number[], layouts: readonly Strided[]): boolean {
  return layouts.every((l) => {
    const [lo, hi] = span(shape, l);
    return (hi - lo + 1 + ctx.alignElems) * 4 <= ctx.maxBinding;
  });
}
