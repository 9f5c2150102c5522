/** A run of text and the whitespace that followed it in the original. */
export interface Chunk {
  text: string;
  sep: string;
}

export interface Chunked {
  /** Leading whitespace of the whole text. */
  prefix: string;
  chunks: Chunk[];
}

const PARAGRAPH_BREAK = /\r?\n[ \t]*\r?\n\s*/g;
/** After . ! ? … and their CJK forms, optionally closed by a quote or bracket. */
const SENTENCE_BREAK = /(?<=[.!?…。！？]["'”’)\]]?)\s+/g;
const LINE_BREAK = /\r?\n\s*/g;

/**
 * Splits `text` into chunks of at most `maxChars`, cutting between paragraphs where it can,
 * else between sentences, else between lines, else (one giant token) at a space or hard.
 * Nothing is lost or reordered: `prefix + chunks.map(c => c.text + c.sep).join('')` is the
 * input, so a translation can be put back together with the original paragraph breaks.
 */
export function chunkText(text: string, maxChars: number): Chunked {
  if (!(maxChars >= 1)) throw new RangeError('maxChars must be at least 1');
  const prefix = /^\s*/.exec(text)![0];
  const units = splitBy(text.slice(prefix.length), PARAGRAPH_BREAK).flatMap((u) => fit(u, maxChars));
  const chunks: Chunk[] = [];
  for (const unit of units) {
    const last = chunks[chunks.length - 1];
    if (last && last.text.length + last.sep.length + unit.text.length <= maxChars) {
      last.text += last.sep + unit.text;
      last.sep = unit.sep;
    } else {
      chunks.push({ ...unit });
    }
  }
  return { prefix, chunks };
}

/** Reassembles chunk texts (e.g. translated ones) with the original separators. */
export function joinChunks(prefix: string, chunks: Chunk[], texts: string[]): string {
  return prefix + chunks.map((c, i) => (texts[i] ?? c.text) + c.sep).join('');
}

/** Splits on a separator pattern, keeping each separator with the text before it. */
function splitBy(text: string, pattern: RegExp): Chunk[] {
  const out: Chunk[] = [];
  let start = 0;
  const push = (piece: string, sep: string) => {
    // Trailing spaces belong to the separator: a chunk's text never ends in whitespace.
    const trimmed = piece.trimEnd();
    out.push({ text: trimmed, sep: piece.slice(trimmed.length) + sep });
  };
  for (const m of text.matchAll(pattern)) {
    if (m.index === 0 && m[0].length === 0) continue;
    push(text.slice(start, m.index), m[0]);
    start = m.index + m[0].length;
  }
  if (start < text.length || out.length === 0) push(text.slice(start), '');
  return out.filter((u, i) => u.text !== '' || i === out.length - 1 || u.sep !== '');
}

/** One paragraph → units no longer than maxChars, each finer split tried only when needed. */
function fit(unit: Chunk, maxChars: number): Chunk[] {
  if (unit.text.length <= maxChars) return [unit];
  for (const pattern of [SENTENCE_BREAK, LINE_BREAK]) {
    const parts = splitBy(unit.text, pattern);
    if (parts.length > 1) {
      parts[parts.length - 1]!.sep += unit.sep;
      return parts.flatMap((p) => fit(p, maxChars));
    }
  }
  // One run with no sentence or line break: cut at the last space before the limit.
  const out: Chunk[] = [];
  let rest = unit.text;
  while (rest.length > maxChars) {
    const space = rest.lastIndexOf(' ', maxChars - 1);
    const cut = space > maxChars / 2 ? space : maxChars;
    out.push({ text: rest.slice(0, cut), sep: space > maxChars / 2 ? ' ' : '' });
    rest = rest.slice(cut + (space > maxChars / 2 ? 1 : 0));
  }
  out.push({ text: rest, sep: unit.sep });
  return out;
}
