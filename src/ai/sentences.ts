/**
 * Sentence splitting and word tokens for the extractive summariser. Deliberately small: it
 * only has to find sentence boundaries in prose well enough for ranking, in any language
 * that marks sentence ends with . ! ? (or their CJK forms).
 */

/** Abbreviations whose period does not end a sentence ("Dr. Smith", "e.g. this"). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'cf', 'inc', 'ltd', 'co', 'corp',
  'dept', 'approx', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k',
  'z.b', 'bzw', 'ca', 'al',
]);
/** Abbreviations that only go on when a number follows ("No. 5", "Fig. 2", "p. 12"), else "No." ends a sentence. */
const NUMBER_ABBREVIATIONS = new Set(['no', 'nr', 'fig', 'p', 'pp', 'vol', 'art', 'sec']);

/** A boundary candidate: end punctuation, optional closing quote, space, then a capital, digit or opening quote. */
const BOUNDARY = /(?<=[.!?…]["'”’)\]]?)\s+(?=["'“‘(\[]?[\p{Lu}\p{N}])|(?<=[。！？])/gu;

/**
 * The text's sentences in order, whitespace inside each collapsed to single spaces (PDF text
 * wraps lines mid-sentence). Paragraph breaks always end a sentence, so headings and list
 * items without a final period stay on their own.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/)) {
    const flat = paragraph.replace(/\s+/g, ' ').trim();
    if (!flat) continue;
    const pieces: string[] = [];
    let start = 0;
    for (const m of flat.matchAll(BOUNDARY)) {
      pieces.push(flat.slice(start, m.index).trim());
      start = m.index + m[0].length;
    }
    pieces.push(flat.slice(start).trim());
    let pending = '';
    for (const [i, piece] of pieces.entries()) {
      if (!piece) continue;
      pending = pending ? `${pending} ${piece}` : piece;
      const lastWord = /(\S+)\.$/u.exec(pending)?.[1]?.toLowerCase() ?? '';
      const next = pieces[i + 1] ?? '';
      // An initial ("J."), a known abbreviation, or "No." before a number: the sentence goes on.
      const goesOn = ABBREVIATIONS.has(lastWord) || /^\p{L}$/u.test(lastWord) || (NUMBER_ABBREVIATIONS.has(lastWord) && /^\p{N}/u.test(next));
      if (!goesOn || i === pieces.length - 1) {
        out.push(pending);
        pending = '';
      }
    }
    if (pending) out.push(pending);
  }
  return out;
}

/** Function words that would make every sentence look alike; English, French, German, Spanish. */
const STOPWORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those ' +
    'he she they we you i me my our your their his her them us not no so than then there here which who whom what when where why how ' +
    'all any each both few more most other some such only own same can will would should could may might must do does did done has have had ' +
    'about above after again against below between into through during before under over up down out off once very just also ' +
    'le la les un une des du de et ou en au aux ce cette ces est sont il elle ils elles nous vous je pour par sur dans avec pas que qui ' +
    'der die das ein eine und oder in im am zu den dem des ist sind nicht mit von für auf ich sie er es wir ihr ' +
    'el los las una unos unas y o en del al es son no con por para que se su sus lo'
  ).split(' '),
);

/** Lower-cased content words of a sentence. */
export function contentWords(sentence: string): string[] {
  return (sentence.toLowerCase().match(/\p{L}[\p{L}\p{N}'’-]*|\p{N}+/gu) ?? []).filter((w) => !STOPWORDS.has(w) && w.length > 1);
}
