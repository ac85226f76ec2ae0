import { BITS_WGSL, MAIN_ARGS, threadIndex, UNIFORM_WGSL } from '../internal/wgsl.js';

/** Which recurrent cell a sequence kernel runs. */
export type CellKind = 'rnn-tanh' | 'rnn-relu' | 'lstm' | 'gru-after' | 'gru-before';

export function gatesOf(kind: CellKind): number {
  return kind === 'lstm' ? 4 : kind.startsWith('gru') ? 3 : 1;
}

/** Passes (dispatches) per forward and per backward step. */
export function passesOf(kind: CellKind): number {
  return kind === 'gru-before' ? 2 : 1;
}

/**
 * Uniform words shared by every fused dispatch (one 256-byte slot per step; word 3 is the step):
 * 0 T, 1 B, 2 H, 3 s, 4 reverse, 5 xProj offset,
 * 8.. offsets in the packed input buffer: 8 W, 9 bias, 10 lengths, 11 h0, 12 c0, 13 dhs, 14 dhT, 15 dcT,
 * 16.. offsets in the saved buffer: 16 gates, 17 hPrev, 18 cPrev, 19 c, 20 extra (hNew / hn / r⊙h), 21 hT, 22 cT,
 * 24.. offsets in the backward work buffer: 24 dh carry, 25 dc carry, 26 dhs out, 27 dcs out, 28 dX, 29 dh0, 30 dc0, 31 dh of the step.
 */
export const W = {
  T: 0, B: 1, H: 2, S: 3, REV: 4, XOFF: 5,
  IN_W: 8, IN_BIAS: 9, IN_LEN: 10, IN_H0: 11, IN_C0: 12, IN_DHS: 13, IN_DHT: 14, IN_DCT: 15,
  SV_GATES: 16, SV_HPREV: 17, SV_CPREV: 18, SV_C: 19, SV_X: 20, SV_HT: 21, SV_CT: 22,
  WK_DH: 24, WK_DC: 25, WK_DHS: 26, WK_DCS: 27, WK_DX: 28, WK_DH0: 29, WK_DC0: 30, WK_DHCUR: 31,
} as const;

const COMMON = /* wgsl */ `
fn lenOf(b: u32) -> u32 { return u32(clamp(bitcast<i32>(inp[m(${W.IN_LEN}u) + b]), 0, i32(m(0u)))); }
fn timeAt(s: u32, len: u32) -> u32 { return select(s, len - 1u - s, m(4u) == 1u); }
fn inF(i: u32) -> f32 { return bitcast<f32>(inp[i]); }
`;

function header(): string {
  return `${UNIFORM_WGSL}${BITS_WGSL}${COMMON}`;
}

/** Entry of a step pass whose thread owns column j of BB consecutive batch rows (b0 …). */
function rowBlockEntry(G: number, wg: number, BB: number): string {
  return `@compute @workgroup_size(${wg})
fn main(${MAIN_ARGS}) {
  let T = m(0u); let B = m(1u); let H = m(2u); let s = m(3u);
  let GH = ${G}u * H;
  let tid = ${threadIndex(wg)};
  if (tid >= ((B + ${BB - 1}u) / ${BB}u) * H) { return; }
  let j = tid % H; let b0 = (tid / H) * ${BB}u;`;
}

/**
 * Forward: a thread owns column j of BB batch rows b0 … b0+BB−1 and computes, for each row's time
 * index of step s, the G recurrent dot products Σ_k Wᵀ[k, g·H + j]·h_prev[b, k] (Wᵀ is stored
 * [H, G·H] so neighbouring threads read neighbouring words), then the gate math, so one dispatch per
 * step does matmul, bias and activations. Each weight word read serves BB rows (loads, not
 * arithmetic, bound a software adapter). h_prev is read from hs at the previous step's row (or h0),
 * so no state ping-pong is needed: rows a step writes are never rows it reads.
 */
export function forwardShader(kind: CellKind, pass: number, wg: number, BB = 1): string {
  const G = gatesOf(kind);
  const bbs = Array.from({ length: BB }, (_, q) => q);
  const prelude = `
@group(0) @binding(1) var<storage, read> xp: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<u32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;
@group(0) @binding(4) var<storage, read_write> sv: array<f32>;
${rowBlockEntry(G, wg, BB)}
  let first = s == 0u;
  let wT = m(${W.IN_W}u);
  let bias = m(${W.IN_BIAS}u);
  ${bbs.map((q) => `let bq${q} = min(b0 + ${q}u, B - 1u); let len${q} = lenOf(bq${q}); let live${q} = b0 + ${q}u < B && s < len${q};
  let row${q} = select(0u, timeAt(s, len${q}) * B + bq${q}, live${q});
  let pbase${q} = select(0u, select(timeAt(s - 1u, len${q}) * B + bq${q}, 0u, first) * H, live${q});`).join('\n  ')}`;
  const loop = (cols: string[], src: (q: number) => string): string => `{
  var wk = wT;
  for (var k = 0u; k < H; k++) {
    ${cols.map((c, i) => `let w${i} = inF(wk + ${c});`).join(' ')}
    ${bbs.map((q) => `let h${q} = ${src(q)}; ${cols.map((_, i) => `a${i}_${q} += w${i} * h${q};`).join(' ')}`).join('\n    ')}
    wk += GH;
  }
  }`;
  // h_prev comes from h0 on the first step and from hs after: two loops behind a branch that is
  // uniform over the dispatch, so each iteration loads h once (a select would load both).
  const dot = (cols: string[], src?: (q: number) => string): string => `
  ${bbs.map((q) => cols.map((_, i) => `var a${i}_${q} = 0.0;`).join(' ')).join(' ')}
  ${src !== undefined ? loop(cols, src) : `if (first) {
  ${loop(cols, (q) => `inF(m(${W.IN_H0}u) + bq${q} * H + k)`)}
  } else {
  ${loop(cols, (q) => `hs[pbase${q} + k]`)}
  }`}`;
  /** The per-row epilogue, once per row of the block, with that row's names bound. */
  const rows = (cols: string[], body: string): string => bbs.map((q) => `
  if (live${q}) {
    let b = bq${q}; let len = len${q}; let row = row${q}; let pbase = pbase${q};
    ${cols.map((_, i) => `let a${i} = a${i}_${q};`).join(' ')}
    let h0base = m(${W.IN_H0}u) + b * H;
    let xb = m(${W.XOFF}u) + row * GH;
    let hpj = select(hs[pbase + j], inF(h0base + j), first);${body}
  }`).join('');
  const finish = (h: string): string => `
  hs[row * H + j] = ${h};
  sv[m(${W.SV_HPREV}u) + row * H + j] = hpj;
  if (s + 1u == len) { sv[m(${W.SV_HT}u) + b * H + j] = ${h}; }`;
  if (kind === 'rnn-tanh' || kind === 'rnn-relu') {
    const act = kind === 'rnn-tanh' ? 'tanhF(pre)' : 'max(pre, 0.0)';
    return `${header()}${prelude}${dot(['j'])}${rows(['j'], `
  let pre = xp[xb + j] + inF(bias + j) + a0;
  let h = ${act};
  sv[m(${W.SV_X}u) + row * H + j] = h;${finish('h')}`)}
}`;
  }
  if (kind === 'lstm') {
    const cols = ['j', 'H + j', '2u * H + j', '3u * H + j'];
    return `${header()}${prelude}${dot(cols)}${rows(cols, `
  let gi = sigmoidF(xp[xb + j] + inF(bias + j) + a0);
  let gf = sigmoidF(xp[xb + H + j] + inF(bias + H + j) + a1);
  let gg = tanhF(xp[xb + 2u * H + j] + inF(bias + 2u * H + j) + a2);
  let go = sigmoidF(xp[xb + 3u * H + j] + inF(bias + 3u * H + j) + a3);
  let cp = select(sv[m(${W.SV_C}u) + pbase + j], inF(m(${W.IN_C0}u) + b * H + j), first);
  let c = gf * cp + gi * gg;
  let h = go * tanhF(c);
  let gb = m(${W.SV_GATES}u) + row * GH;
  sv[gb + j] = gi; sv[gb + H + j] = gf; sv[gb + 2u * H + j] = gg; sv[gb + 3u * H + j] = go;
  sv[m(${W.SV_CPREV}u) + row * H + j] = cp;
  sv[m(${W.SV_C}u) + row * H + j] = c;
  if (s + 1u == len) { sv[m(${W.SV_CT}u) + b * H + j] = c; }${finish('h')}`)}
}`;
  }
  if (kind === 'gru-after') {
    const cols = ['j', 'H + j', '2u * H + j'];
    return `${header()}${prelude}${dot(cols)}${rows(cols, `
  let r = sigmoidF(xp[xb + j] + inF(bias + j) + a0);
  let z = sigmoidF(xp[xb + H + j] + inF(bias + H + j) + a1);
  let hn = inF(bias + 2u * H + j) + a2;
  let n = tanhF(xp[xb + 2u * H + j] + r * hn);
  let h = (1.0 - z) * n + z * hpj;
  let gb = m(${W.SV_GATES}u) + row * GH;
  sv[gb + j] = r; sv[gb + H + j] = z; sv[gb + 2u * H + j] = n;
  sv[m(${W.SV_X}u) + row * H + j] = hn;${finish('h')}`)}
}`;
  }
  // gru-before: pass 0 computes r, z and r ⊙ h_prev; pass 1 the n rows over r ⊙ h_prev.
  if (pass === 0) {
    const cols = ['j', 'H + j'];
    return `${header()}${prelude}${dot(cols)}${rows(cols, `
  let r = sigmoidF(xp[xb + j] + inF(bias + j) + a0);
  let z = sigmoidF(xp[xb + H + j] + inF(bias + H + j) + a1);
  let gb = m(${W.SV_GATES}u) + row * GH;
  sv[gb + j] = r; sv[gb + H + j] = z;
  sv[m(${W.SV_X}u) + row * H + j] = r * hpj;
  sv[m(${W.SV_HPREV}u) + row * H + j] = hpj;`)}
}`;
  }
  const cols = ['2u * H + j'];
  return `${header()}${prelude}${dot(cols, (q) => `sv[m(${W.SV_X}u) + row${q} * H + k]`)}${rows(cols, `
  let gb = m(${W.SV_GATES}u) + row * GH;
  let z = sv[gb + H + j];
  let n = tanhF(xp[xb + 2u * H + j] + inF(bias + 2u * H + j) + a0);
  sv[gb + 2u * H + j] = n;
  let h = (1.0 - z) * n + z * hpj;${finish('h')}`)}
}`;
}

/**
 * Backward: step s (descending) gives thread (b, j) dh = carry + dhs[row] + Σ_g dG[next row, g]·W[g, j]
 * (the previous step's gate gradients times the recurrent weight, column j only), so the matvec of
 * step s+1 and the gate gradients of step s share one dispatch. Carries (dh's direct path, dc) are
 * per-thread, so they need no synchronisation. Step passes block BB batch rows per thread as the
 * forward does; the reset-before GRU's second pass and the finalize pass take one (b, j) a thread.
 */
export function backwardShader(kind: CellKind, pass: number, wg: number, BB = 1): string {
  const G = gatesOf(kind);
  const rowsThrough = kind === 'gru-before' ? '2u * H' : 'GH';
  const prelude = `
@group(0) @binding(1) var<storage, read> inp: array<u32>;
@group(0) @binding(2) var<storage, read> sv: array<f32>;
@group(0) @binding(3) var<storage, read_write> dG: array<f32>;
@group(0) @binding(4) var<storage, read_write> wk: array<f32>;
fn recurrentGrad(nrow: u32, j: u32, H: u32, GH: u32) -> f32 {
  var acc = 0.0;
  var pw = m(${W.IN_W}u) + j;
  let d0 = nrow * GH;
  for (var g = 0u; g < ${rowsThrough}; g++) { acc += dG[d0 + g] * inF(pw); pw += H; }
  return acc;
}
@compute @workgroup_size(${wg})
fn main(${MAIN_ARGS}) {
  let T = m(0u); let B = m(1u); let H = m(2u); let s = m(3u);
  let GH = ${G}u * H;
  let tid = ${threadIndex(wg)};
  if (tid >= B * H) { return; }
  let b = tid / H; let j = tid % H;
  let len = lenOf(b);`;
  // A step pass: a thread owns column j of BB batch rows, so each weight word it reads for the
  // recurrent gradient serves BB rows; then the gate gradients of each of its rows.
  const bbs = Array.from({ length: BB }, (_, q) => q);
  const step = (body: string): string => `${header()}
@group(0) @binding(1) var<storage, read> inp: array<u32>;
@group(0) @binding(2) var<storage, read> sv: array<f32>;
@group(0) @binding(3) var<storage, read_write> dG: array<f32>;
@group(0) @binding(4) var<storage, read_write> wk: array<f32>;
${rowBlockEntry(G, wg, BB)}
  ${bbs.map((q) => `let bq${q} = min(b0 + ${q}u, B - 1u); let len${q} = lenOf(bq${q}); let live${q} = b0 + ${q}u < B && s < len${q};
  let next${q} = live${q} && s + 1u < len${q};
  let nrow${q} = select(0u, timeAt(s + 1u, len${q}) * B + bq${q}, next${q}) * GH;
  var rg${q} = 0.0;`).join('\n  ')}
  {
    var pw = m(${W.IN_W}u) + j;
    for (var g = 0u; g < ${rowsThrough}; g++) {
      let w = inF(pw);
      ${bbs.map((q) => `rg${q} += dG[nrow${q} + g] * w;`).join(' ')}
      pw += H;
    }
  }${bbs.map((q) => `
  if (live${q}) {
    let b = bq${q}; let len = len${q};
    let row = timeAt(s, len) * B + b;
    let bj = b * H + j;
    let gb = m(${W.SV_GATES}u) + row * GH;
    var dh = wk[m(${W.WK_DH}u) + bj] + inF(m(${W.IN_DHS}u) + row * H + j);
    if (next${q}) { dh += rg${q}; }
    wk[m(${W.WK_DHS}u) + row * H + j] = dh;${body}
  }`).join('')}
}`;
  if (pass === 2) {
    // Finalize: dh0 (and dc0) from the first step's gate gradients.
    return `${header()}${prelude}
  _ = sv[0];
  let bj = b * H + j;
  var dh = wk[m(${W.WK_DH}u) + bj];
  if (len > 0u) { dh += recurrentGrad(timeAt(0u, len) * B + b, j, H, GH); }
  wk[m(${W.WK_DH0}u) + bj] = dh;
  wk[m(${W.WK_DC0}u) + bj] = wk[m(${W.WK_DC}u) + bj];
}`;
  }
  if (kind === 'rnn-tanh' || kind === 'rnn-relu') {
    const d = kind === 'rnn-tanh' ? '(1.0 - y * y)' : 'select(0.0, 1.0, y > 0.0)';
    return step(`
  let y = sv[m(${W.SV_X}u) + row * H + j];
  dG[row * GH + j] = dh * ${d};
  wk[m(${W.WK_DH}u) + bj] = 0.0;`);
  }
  if (kind === 'lstm') {
    return step(`
  let gi = sv[gb + j]; let gf = sv[gb + H + j]; let gg = sv[gb + 2u * H + j]; let go = sv[gb + 3u * H + j];
  let tc = tanhF(sv[m(${W.SV_C}u) + row * H + j]);
  let dc = wk[m(${W.WK_DC}u) + bj];
  wk[m(${W.WK_DCS}u) + row * H + j] = dc;
  let dct = dc + dh * go * (1.0 - tc * tc);
  let o = row * GH;
  dG[o + j] = dct * gg * gi * (1.0 - gi);
  dG[o + H + j] = dct * sv[m(${W.SV_CPREV}u) + row * H + j] * gf * (1.0 - gf);
  dG[o + 2u * H + j] = dct * gi * (1.0 - gg * gg);
  dG[o + 3u * H + j] = dh * tc * go * (1.0 - go);
  wk[m(${W.WK_DC}u) + bj] = dct * gf;
  wk[m(${W.WK_DH}u) + bj] = 0.0;`);
  }
  if (kind === 'gru-after') {
    return step(`
  let r = sv[gb + j]; let z = sv[gb + H + j]; let n = sv[gb + 2u * H + j];
  let hp = sv[m(${W.SV_HPREV}u) + row * H + j];
  let dn = dh * (1.0 - z) * (1.0 - n * n);
  let dz = dh * (hp - n) * z * (1.0 - z);
  let dr = dn * sv[m(${W.SV_X}u) + row * H + j] * r * (1.0 - r);
  let o = row * GH;
  dG[o + j] = dr; dG[o + H + j] = dz; dG[o + 2u * H + j] = dn * r;
  let x = m(${W.WK_DX}u) + o;
  wk[x + j] = dr; wk[x + H + j] = dz; wk[x + 2u * H + j] = dn;
  wk[m(${W.WK_DH}u) + bj] = dh * z;`);
  }
  // gru-before
  if (pass === 0) {
    return step(`
  let z = sv[gb + H + j]; let n = sv[gb + 2u * H + j];
  let hp = sv[m(${W.SV_HPREV}u) + row * H + j];
  let o = row * GH;
  dG[o + H + j] = dh * (hp - n) * z * (1.0 - z);
  dG[o + 2u * H + j] = dh * (1.0 - z) * (1.0 - n * n);
  wk[m(${W.WK_DHCUR}u) + bj] = dh;`);
  }
  return `${header()}${prelude}
  if (s >= len) { return; }
  let row = timeAt(s, len) * B + b;
  let bj = b * H + j;
  let gb = m(${W.SV_GATES}u) + row * GH;
  let o = row * GH;
  // u = W_hnᵀ · dn: the gradient w.r.t. r ⊙ h_prev, column j.
  var u = 0.0;
  let w = m(${W.IN_W}u);
  for (var q = 0u; q < H; q++) { u += dG[o + 2u * H + q] * inF(w + (2u * H + q) * H + j); }
  let r = sv[gb + j]; let z = sv[gb + H + j];
  let hp = sv[m(${W.SV_HPREV}u) + row * H + j];
  dG[o + j] = u * hp * r * (1.0 - r);
  wk[m(${W.WK_DH}u) + bj] = wk[m(${W.WK_DHCUR}u) + bj] * z + u * r;
}`;
}
