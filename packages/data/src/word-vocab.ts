import { fail } from '@rnnkit/tensor';
import { chooseTokens, resolveSpecials } from './internal/build-tokens.js';
import { Vocab, type BuildVocabOptions, type SpecialName, type VocabJSON } from './vocab.js';

/**
 * How `WordVocab` splits text: 'words' makes runs of letters and digits (with inner apostrophes,
 * as in "don't") one token and every other non-space character its own token; 'whitespace'
 * splits on whitespace only.
 */
export type WordTokenizer = 'words' | 'whitespace';

/** Options of `WordVocab.fromText`. */
export interface WordVocabOptions extends BuildVocabOptions {
  readonly tokenizer?: WordTokenizer;
  /** Lowercase text before splitting it (default false). */
  readonly lowercase?: boolean;
}

const WORDS = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;
const NON_SPACE = /\S+/gu;

/**
 * A word vocabulary. Built from a corpus with `WordVocab.fromText`; special tokens (default
 * `<pad>` = 0, `<unk>` = 1) come first, then the words, most frequent first. Use `maxSize` or
 * `minCount` to keep rare words out (they encode as `<unk>`). `decode` joins words with spaces.
 *
 * @example
 * const vocab = WordVocab.fromText('the cat sat on the mat.', { maxSize: 6 });
 * vocab.encode('the dog sat'); // the, <unk>, sat
 */
export class WordVocab extends Vocab {
  readonly tokenizer: WordTokenizer;
  readonly lowercase: boolean;

  private constructor(tokens: readonly string[], specials: { readonly [K in SpecialName]?: string }, tokenizer: WordTokenizer, lowercase: boolean) {
    super('word', tokens, specials);
    if (tokenizer !== 'words' && tokenizer !== 'whitespace') fail(`WordVocab: tokenizer must be 'words' or 'whitespace', got ${JSON.stringify(tokenizer)}.`);
    this.tokenizer = tokenizer;
    this.lowercase = lowercase;
  }

  /** Every distinct word of `text` (subject to `minCount` and `maxSize`), after the specials. */
  static fromText(text: string, options: WordVocabOptions = {}): WordVocab {
    if (typeof text !== 'string') fail(`WordVocab.fromText: text must be a string, got ${typeof text}.`);
    const { tokenizer = 'words', lowercase = false } = options;
    const specials = resolveSpecials('WordVocab.fromText', options.specials);
    const probe = new WordVocab(Object.values(specials), specials, tokenizer, lowercase);
    const counts = new Map<string, number>();
    for (const w of probe.tokenize(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    return new WordVocab(chooseTokens('WordVocab.fromText', counts, specials, options, 'frequency'), specials, tokenizer, lowercase);
  }

  /** Rebuilds a vocabulary saved with `toJSON()`. */
  static fromJSON(json: VocabJSON): WordVocab {
    if (json.kind !== 'word') fail(`WordVocab.fromJSON: the data holds a ${String(json.kind)} vocabulary, not a word one; use vocabFromJSON to read either.`);
    return new WordVocab(json.tokens, json.specials, json.tokenizer ?? 'words', json.lowercase ?? false);
  }

  /** Splits text into words (lowercased first when the vocabulary was built that way). */
  tokenize(text: string): string[] {
    const s = this.lowercase ? text.toLowerCase() : text;
    return s.match(this.tokenizer === 'words' ? WORDS : NON_SPACE) ?? [];
  }

  protected join(tokens: readonly string[]): string {
    return tokens.join(' ');
  }

  override toJSON(): VocabJSON {
    return { ...super.toJSON(), tokenizer: this.tokenizer, lowercase: this.lowercase };
  }
}
