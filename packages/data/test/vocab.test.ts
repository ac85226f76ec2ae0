import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { CharVocab, Vocab, WordVocab, vocabFromJSON } from '../src/index.js';

describe('CharVocab', () => {
  it('puts the specials first, then the sorted characters, and round-trips text', () => {
    const v = CharVocab.fromText('hello world');
    expect(v.tokens).toEqual(['<pad>', '<unk>', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect([v.padId, v.unkId, v.bosId, v.eosId]).toEqual([0, 1, undefined, undefined]);
    const ids = v.encode('hello');
    expect(ids).toBeInstanceOf(Int32Array);
    expect(Array.from(ids)).toEqual([5, 4, 6, 6, 7]);
    expect(v.decode(ids)).toBe('hello');
    expect(v.size).toBe(10);
    expect(v).toBeInstanceOf(Vocab);
  });
  it('treats a code point as one token and maps unknown characters to <unk>', () => {
    const v = CharVocab.fromText('a🙂é');
    expect(v.size).toBe(5);
    expect(Array.from(v.encode('🙂z'))).toEqual([v.idOf('🙂'), v.unkId]);
    expect(v.decode(v.encode('a?'), { skipSpecials: true })).toBe('a');
  });
  it('adds bos/eos when asked and when the vocabulary has them', () => {
    const v = CharVocab.fromText('ab', { specials: { pad: null, unk: null, bos: '<s>', eos: '</s>' } });
    expect(v.tokens).toEqual(['<s>', '</s>', 'a', 'b']);
    expect(Array.from(v.encode('ba', { bos: true, eos: true }))).toEqual([0, 3, 2, 1]);
    expect(() => CharVocab.fromText('ab').encode('a', { bos: true })).toThrow(/has no bos token/);
  });
  it('fails on an unknown character when there is no <unk>, naming it and its position', () => {
    const v = CharVocab.fromText('abc', { specials: { unk: null } });
    expect(() => v.encode('abx')).toThrow(RnnkitError);
    expect(() => v.encode('abx')).toThrow(/"x" \(character 2\) is not in the vocabulary of 4 tokens/);
    expect(() => v.decode([0, 9])).toThrow(/id 9 \(at position 1\) is outside the vocabulary \[0, 4\)/);
  });
  it('keeps the most frequent characters with maxSize and minCount, and orders by frequency on request', () => {
    const text = 'aaaabbbcc d';
    expect(CharVocab.fromText(text, { maxSize: 4 }).tokens).toEqual(['<pad>', '<unk>', 'a', 'b']);
    expect(CharVocab.fromText(text, { minCount: 2, specials: { pad: null } }).tokens).toEqual(['<unk>', 'a', 'b', 'c']);
    expect(CharVocab.fromText('abbccc', { order: 'frequency', specials: { pad: null, unk: null } }).tokens).toEqual(['c', 'b', 'a']);
  });
  it('takes a fixed alphabet with fromTokens', () => {
    const v = CharVocab.fromTokens(['<unk>', 'a', 'b'], { unk: '<unk>' });
    expect(Array.from(v.encode('abz'))).toEqual([1, 2, 0]);
    expect(() => CharVocab.fromTokens(['ab'])).toThrow(/"ab" is not a single character/);
  });
  it('round-trips through JSON text', () => {
    const v = CharVocab.fromText('the quick brown fox', { specials: { eos: '<eos>' } });
    const back = vocabFromJSON(JSON.parse(JSON.stringify(v)));
    expect(back).toBeInstanceOf(CharVocab);
    expect(back.tokens).toEqual(v.tokens);
    expect(back.eosId).toBe(v.eosId);
    expect(back.decode(v.encode('quick fox'))).toBe('quick fox');
  });
});

describe('WordVocab', () => {
  it('splits words and punctuation, orders by frequency and joins with spaces', () => {
    const v = WordVocab.fromText("the cat sat on the mat. the cat didn't.");
    expect(v.tokens.slice(0, 5)).toEqual(['<pad>', '<unk>', 'the', '.', 'cat']);
    expect(v.tokenize("didn't stop, ok")).toEqual(["didn't", 'stop', ',', 'ok']);
    expect(Array.from(v.encode('the dog sat'))).toEqual([v.idOf('the'), v.unkId, v.idOf('sat')]);
    expect(v.decode(v.encode('the cat sat'))).toBe('the cat sat');
  });
  it('lowercases and splits on whitespace when built so, and keeps that through JSON', () => {
    const v = WordVocab.fromText('A a b, B', { lowercase: true, tokenizer: 'whitespace', specials: { pad: null } });
    expect(v.tokens).toEqual(['<unk>', 'a', 'b', 'b,']);
    const back = vocabFromJSON(JSON.parse(JSON.stringify(v)));
    expect(back).toBeInstanceOf(WordVocab);
    expect(Array.from(back.encode('B, A'))).toEqual([3, 1]);
  });
  it('rejects data that is not a saved vocabulary', () => {
    expect(() => vocabFromJSON({ tokens: [] })).toThrow(/not a saved vocabulary/);
    expect(() => vocabFromJSON({ format: 'rnnkit.vocab', version: 1, kind: 'char', tokens: ['a', 'a'], specials: {} })).toThrow(/appears twice/);
    expect(() => vocabFromJSON({ format: 'rnnkit.vocab', version: 1, kind: 'char', tokens: ['a'], specials: { unk: '<unk>' } })).toThrow(/special token unk = "<unk>" is not among the tokens/);
    expect(() => vocabFromJSON({ format: 'rnnkit.vocab', version: 2, kind: 'char', tokens: [], specials: {} })).toThrow(/version 2 is not supported/);
  });
});
