/** The alphabetic tokens of a text, lower-cased (what the vocabulary check counts). */
export function alphabeticTokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []);
}

/** Share of alphabetic tokens in `sample` that occur as words in `corpus` (0..1). */
export function wordShare(sample: string, corpus: string | ReadonlySet<string>): { share: number; words: number; known: number } {
  const vocab = typeof corpus === 'string' ? new Set(alphabeticTokens(corpus)) : corpus;
  const tokens = alphabeticTokens(sample);
  const known = tokens.filter((t) => vocab.has(t)).length;
  return { share: tokens.length ? known / tokens.length : 0, words: tokens.length, known };
}
