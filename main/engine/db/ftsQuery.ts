/** Longest search text turned into terms; the rest is ignored (keeps queries cheap). */
const MAX_TERMS = 12;

/**
 * Turns what a user typed into a safe FTS5 query: every word quoted (so no user text is FTS
 * syntax), all words required, the last one matched as a prefix so results follow typing.
 * Answers null when the text holds no word at all (only punctuation, say).
 */
export function ftsQuery(text: string): string | null {
  const terms = text.match(/[\p{L}\p{N}_]+/gu)?.slice(0, MAX_TERMS);
  if (!terms || terms.length === 0) return null;
  return terms.map((t, i) => `"${t}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/**
 * The same text as a query of the trigram index of names and metadata: every word must occur as a
 * substring. Null when a word is shorter than three characters (trigrams cannot find it). `order`
 * may put the words in another order (the same matches): FTS5 walks an AND fastest with its
 * rarest word first.
 */
export function trigramQuery(text: string, order: (terms: string[]) => string[] = (t) => t): string | null {
  const terms = trigramTerms(text);
  if (!terms) return null;
  return order(terms)
    .map((t) => `"${t}"`)
    .join(' AND ');
}

/** The words of a search as the trigram index takes them; null when one is too short for it. */
export function trigramTerms(text: string): string[] | null {
  const terms = text.match(/[\p{L}\p{N}_.\-]+/gu)?.slice(0, MAX_TERMS);
  if (!terms || terms.length === 0 || terms.some((t) => [...t].length < 3)) return null;
  return terms;
}

/** The words of a search, lower-cased, for finding the matching line of a block again. */
export function searchTerms(text: string): string[] {
  return (text.match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, MAX_TERMS).map((t) => t.toLowerCase());
}
