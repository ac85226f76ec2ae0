import { fail } from '@rnnkit/tensor';

/** Which tokenizer a vocabulary uses: one token per Unicode code point, or one per word. */
export type VocabKind = 'char' | 'word';

/** Names of the special tokens a vocabulary may hold, in the order their ids are given. */
export const SPECIAL_NAMES = ['pad', 'unk', 'bos', 'eos'] as const;
export type SpecialName = (typeof SPECIAL_NAMES)[number];

/**
 * Special tokens and their text. `null` leaves one out. Defaults: `{ pad: '<pad>', unk: '<unk>' }`
 * (ids 0 and 1); `bos`/`eos` (begin/end of sequence) are off unless given.
 */
export type SpecialTokens = { readonly [K in SpecialName]?: string | null };

/** Options for building a vocabulary from text. */
export interface BuildVocabOptions {
  readonly specials?: SpecialTokens;
  /** Tokens seen fewer times are left out (they encode as `<unk>`). Default 1. */
  readonly minCount?: number;
  /** At most this many tokens, specials included; the most frequent are kept. */
  readonly maxSize?: number;
  /**
   * Order of the regular tokens after the specials: 'sorted' as JavaScript sorts strings (the char
   * default, as char-rnn's sorted(set(text))) or by 'frequency', most frequent first, ties sorted (the word default).
   */
  readonly order?: 'sorted' | 'frequency';
}

/** Options of `Vocab.encode`. */
export interface EncodeOptions {
  /** Prepend the `bos` token (the vocabulary must have one). */
  readonly bos?: boolean;
  /** Append the `eos` token (the vocabulary must have one). */
  readonly eos?: boolean;
}

/** Options of `Vocab.decode`. */
export interface DecodeOptions {
  /** Leave special tokens (pad, unk, bos, eos) out of the text (default false). */
  readonly skipSpecials?: boolean;
}

/** A vocabulary as plain JSON data: `vocab.toJSON()`, read back by `vocabFromJSON`. */
export interface VocabJSON {
  readonly format: 'rnnkit.vocab';
  readonly version: 1;
  readonly kind: VocabKind;
  /** Every token; a token's id is its index. Specials come first. */
  readonly tokens: readonly string[];
  readonly specials: { readonly [K in SpecialName]?: string };
  /** Word vocabularies only: how text is split and whether it is lowercased first. */
  readonly tokenizer?: 'words' | 'whitespace';
  readonly lowercase?: boolean;
}

/**
 * A mapping between tokens and integer ids, shared by `CharVocab` and `WordVocab`. Ids are
 * dense: 0 … size − 1, the specials first. Save it with the model (`toJSON()`, which
 * `@rnnkit/io` checkpoints do) so ids mean the same thing when you sample later.
 */
export abstract class Vocab {
  readonly kind: VocabKind;
  /** Every token by id. */
  readonly tokens: readonly string[];
  /** The text of each special token present. */
  readonly specials: { readonly [K in SpecialName]?: string };
  readonly #index: Map<string, number>;
  readonly #specialIds: Set<number>;

  protected constructor(kind: VocabKind, tokens: readonly string[], specials: { readonly [K in SpecialName]?: string }) {
    const op = kind === 'char' ? 'CharVocab' : 'WordVocab';
    this.kind = kind;
    this.tokens = Object.freeze([...tokens]);
    this.specials = Object.freeze({ ...specials });
    this.#index = new Map();
    this.tokens.forEach((t, i) => {
      if (typeof t !== 'string') fail(`${op}: token ${i} is a ${typeof t}, not a string.`);
      if (this.#index.has(t)) fail(`${op}: the token ${JSON.stringify(t)} appears twice (ids ${this.#index.get(t)} and ${i}); every token must be unique.`);
      this.#index.set(t, i);
    });
    this.#specialIds = new Set();
    for (const [name, text] of Object.entries(this.specials)) {
      const id = this.#index.get(text);
      if (id === undefined) fail(`${op}: the special token ${name} = ${JSON.stringify(text)} is not among the tokens.`);
      this.#specialIds.add(id);
    }
  }

  /** Number of tokens, specials included (V, the size of an embedding table or softmax). */
  get size(): number {
    return this.tokens.length;
  }
  get padId(): number | undefined {
    return this.#specialId('pad');
  }
  get unkId(): number | undefined {
    return this.#specialId('unk');
  }
  get bosId(): number | undefined {
    return this.#specialId('bos');
  }
  get eosId(): number | undefined {
    return this.#specialId('eos');
  }

  #specialId(name: SpecialName): number | undefined {
    const text = this.specials[name];
    return text === undefined ? undefined : this.#index.get(text);
  }

  /** Splits text into tokens (code points, or words), as `encode` does. */
  abstract tokenize(text: string): string[];

  /** Joins decoded tokens into text: nothing between chars, a space between words. */
  protected abstract join(tokens: readonly string[]): string;

  /** The id of `token`, or undefined when it is not in the vocabulary. */
  idOf(token: string): number | undefined {
    return this.#index.get(token);
  }

  /** Whether `token` has an id. */
  has(token: string): boolean {
    return this.#index.has(token);
  }

  /** The token with id `id`; fails when the id is out of range. */
  tokenOf(id: number): string {
    const t = Number.isInteger(id) ? this.tokens[id] : undefined;
    if (t === undefined) fail(`${this.#op()}.tokenOf: id ${id} is outside the vocabulary [0, ${this.size}).`);
    return t;
  }

  /** Whether `id` is a special token's id. */
  isSpecial(id: number): boolean {
    return this.#specialIds.has(id);
  }

  /** Text → ids (i32). Unknown tokens become `<unk>`; without one they fail, naming the token and its position. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    return this.encodeTokens(this.tokenize(text), options);
  }

  /** Tokens → ids, as `encode` without the tokenizer. */
  encodeTokens(tokens: readonly string[], options: EncodeOptions = {}): Int32Array {
    const bos = options.bos ? this.#required('bos', 'encode') : undefined;
    const eos = options.eos ? this.#required('eos', 'encode') : undefined;
    const out = new Int32Array(tokens.length + (bos === undefined ? 0 : 1) + (eos === undefined ? 0 : 1));
    let j = 0;
    if (bos !== undefined) out[j++] = bos;
    const unk = this.unkId;
    for (let i = 0; i < tokens.length; i++) {
      const id = this.#index.get(tokens[i]!) ?? unk;
      if (id === undefined)
        fail(
          `${this.#op()}.encode: ${JSON.stringify(tokens[i])} (${this.kind === 'char' ? 'character' : 'token'} ${i}) is not in the vocabulary of ${this.size} tokens, ` +
            'and the vocabulary has no <unk> token; build it from text that contains it, or with specials: { unk: \'<unk>\' }.',
        );
      out[j++] = id;
    }
    if (eos !== undefined) out[j] = eos;
    return out;
  }

  /** Ids → text. Fails on an id outside [0, size). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (options.skipSpecials && this.#specialIds.has(id)) continue;
      const t = Number.isInteger(id) ? this.tokens[id] : undefined;
      if (t === undefined) fail(`${this.#op()}.decode: id ${id} (at position ${i}) is outside the vocabulary [0, ${this.size}).`);
      tokens.push(t);
    }
    return this.join(tokens);
  }

  /** Plain JSON data for saving with the model; `vocabFromJSON` rebuilds the same vocabulary. */
  toJSON(): VocabJSON {
    return { format: 'rnnkit.vocab', version: 1, kind: this.kind, tokens: [...this.tokens], specials: { ...this.specials } };
  }

  #required(name: SpecialName, op: string): number {
    const id = this.#specialId(name);
    if (id === undefined) fail(`${this.#op()}.${op}: the vocabulary has no ${name} token; build it with specials: { ${name}: '<${name}>' }.`);
    return id;
  }

  #op(): string {
    return this.kind === 'char' ? 'CharVocab' : 'WordVocab';
  }
}
