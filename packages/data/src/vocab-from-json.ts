import { fail } from '@rnnkit/tensor';
import { CharVocab } from './char-vocab.js';
import type { VocabJSON } from './vocab.js';
import { WordVocab } from './word-vocab.js';

/**
 * Rebuilds a `CharVocab` or `WordVocab` from `vocab.toJSON()` (or its JSON text parsed back).
 * Data that is not a saved vocabulary fails with a message saying what is wrong with it.
 *
 * @example
 * const vocab = vocabFromJSON(JSON.parse(fs.readFileSync('vocab.json', 'utf8')));
 */
export function vocabFromJSON(json: unknown): CharVocab | WordVocab {
  const op = 'vocabFromJSON';
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== 'rnnkit.vocab')
    fail(`${op}: the data is not a saved vocabulary (expected format 'rnnkit.vocab'); pass what vocab.toJSON() returned.`);
  const v = json as Partial<VocabJSON>;
  if (v.version !== 1) fail(`${op}: vocabulary version ${String(v.version)} is not supported (this rnnkit reads version 1).`);
  if (!Array.isArray(v.tokens) || v.tokens.some((t) => typeof t !== 'string')) fail(`${op}: 'tokens' must be an array of strings.`);
  if (typeof v.specials !== 'object' || v.specials === null) fail(`${op}: 'specials' must be an object such as { pad: '<pad>' }.`);
  if (v.kind === 'char') return CharVocab.fromJSON(v as VocabJSON);
  if (v.kind === 'word') return WordVocab.fromJSON(v as VocabJSON);
  return fail(`${op}: unknown vocabulary kind ${JSON.stringify(v.kind)}; expected 'char' or 'word'.`);
}

