import { fail } from '@rnnkit/tensor';
import { SPECIAL_NAMES, type BuildVocabOptions, type SpecialName, type SpecialTokens } from '../vocab.js';

const DEFAULT_SPECIALS: SpecialTokens = { pad: '<pad>', unk: '<unk>' };

/** Resolves the special tokens of the build options: defaults applied, nulls dropped, in id order. */
export function resolveSpecials(op: string, specials: SpecialTokens | undefined): { [K in SpecialName]?: string } {
  const merged = { ...DEFAULT_SPECIALS, ...specials };
  const out: { [K in SpecialName]?: string } = {};
  const seen = new Map<string, string>();
  for (const [name, text] of Object.entries(merged)) {
    if (!(SPECIAL_NAMES as readonly string[]).includes(name)) fail(`${op}: unknown special token '${name}'; the specials are ${SPECIAL_NAMES.join(', ')}.`);
    if (text === null || text === undefined) continue;
    if (typeof text !== 'string' || text === '') fail(`${op}: special token ${name} must be a non-empty string or null, got ${JSON.stringify(text)}.`);
    if (seen.has(text)) fail(`${op}: specials ${seen.get(text)} and ${name} are both ${JSON.stringify(text)}; give each its own text.`);
    seen.set(text, name);
  }
  for (const name of SPECIAL_NAMES) {
    const text = merged[name];
    if (typeof text === 'string') out[name] = text;
  }
  return out;
}

/**
 * The token list of a vocabulary built from counted tokens: specials first, then the regular
 * tokens that pass `minCount`, cut to `maxSize` by frequency, in `order`.
 */
export function chooseTokens(
  op: string, counts: Map<string, number>, specials: { [K in SpecialName]?: string }, options: BuildVocabOptions, defaultOrder: 'sorted' | 'frequency',
): string[] {
  const { minCount = 1, maxSize, order = defaultOrder } = options;
  if (!Number.isInteger(minCount) || minCount < 1) fail(`${op}: minCount must be a positive integer, got ${String(minCount)}.`);
  if (order !== 'sorted' && order !== 'frequency') fail(`${op}: order must be 'sorted' or 'frequency', got ${JSON.stringify(order)}.`);
  const specialTexts = Object.values(specials);
  if (maxSize !== undefined && (!Number.isInteger(maxSize) || maxSize < specialTexts.length))
    fail(`${op}: maxSize must be an integer of at least ${specialTexts.length} (the number of special tokens), got ${String(maxSize)}.`);
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  let regular = [...counts].filter(([t, n]) => n >= minCount && !specialTexts.includes(t));
  regular.sort((a, b) => b[1] - a[1] || byCode(a[0], b[0]));
  if (maxSize !== undefined) regular = regular.slice(0, maxSize - specialTexts.length);
  const tokens = regular.map(([t]) => t);
  if (order === 'sorted') tokens.sort(byCode);
  return [...specialTexts, ...tokens];
}
