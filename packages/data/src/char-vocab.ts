import { fail } from '@rnnkit/tensor';
import { chooseTokens, resolveSpecials } from './internal/build-tokens.js';
import { Vocab, type BuildVocabOptions, type SpecialName, type VocabJSON } from './vocab.js';

/**
 * A character vocabulary: one token per Unicode code point (so 'é' and '🙂' are one token each).
 * Built from a corpus with `CharVocab.fromText`; special tokens (default `<pad>` = 0,
 * `<unk>` = 1) come first, then the characters in sorted order.
 *
 * @example
 * const vocab = CharVocab.fromText('hello world');
 * const ids = vocab.encode('hold');   // Int32Array of 4 ids
 * vocab.decode(ids);                  // 'hold'
 * const saved = JSON.stringify(vocab); // save with the model; vocabFromJSON(JSON.parse(saved))
 */
export class CharVocab extends Vocab {
  private constructor(tokens: readonly string[], specials: { readonly [K in SpecialName]?: string }) {
    super('char', tokens, specials);
  }

  /** Every distinct character of `text` (subject to `minCount` and `maxSize`), after the specials. */
  static fromText(text: string, options: BuildVocabOptions = {}): CharVocab {
    if (typeof text !== 'string') fail(`CharVocab.fromText: text must be a string, got ${typeof text}.`);
    const specials = resolveSpecials('CharVocab.fromText', options.specials);
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    return new CharVocab(chooseTokens('CharVocab.fromText', counts, specials, options, 'sorted'), specials);
  }

  /** Exactly these tokens (specials first, as listed in `specials`), e.g. a fixed alphabet. */
  static fromTokens(tokens: readonly string[], specials: { readonly [K in SpecialName]?: string } = {}): CharVocab {
    for (const t of tokens) if (!Object.values(specials).includes(t) && [...t].length !== 1) fail(`CharVocab.fromTokens: ${JSON.stringify(t)} is not a single character.`);
    return new CharVocab(tokens, specials);
  }

  /** Rebuilds a vocabulary saved with `toJSON()`. */
  static fromJSON(json: VocabJSON): CharVocab {
    if (json.kind !== 'char') fail(`CharVocab.fromJSON: the data holds a ${String(json.kind)} vocabulary, not a char one; use vocabFromJSON to read either.`);
    return new CharVocab(json.tokens, json.specials);
  }

  /** One token per code point. */
  tokenize(text: string): string[] {
    return [...text];
  }

  protected join(tokens: readonly string[]): string {
    return tokens.join('');
  }
}
