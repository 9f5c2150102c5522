import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { contentWords, splitSentences } from './sentences.js';

export interface ExtractiveSummary {
  /** The chosen sentences, in the order they appear in the text. */
  sentences: string[];
  /** Sentences the text had. */
  sentenceCount: number;
}

/**
 * Ranking is O(n²) in sentences: a group of 200 costs ~5–15 ms. Longer texts are ranked group
 * by group and the winners ranked again, and the loop yields between groups, because this
 * runs on the main thread (io lane) where it must not stall polls and lease renewals.
 */
const GROUP = 200;
const DAMPING = 0.85;

/** Sentences shorter than this are headings or fragments: ranked, never chosen. */
const MIN_WORDS = 4;

/**
 * TextRank (Mihalcea & Tarau, 2004) over sentences: a graph whose edge weights are the
 * content-word overlap of two sentences normalised by their lengths, scored with weighted
 * PageRank; the `count` best sentences are returned verbatim (whitespace collapsed).
 */
export async function textRank(text: string, count: number): Promise<ExtractiveSummary> {
  const all = await sentencesOf(text);
  const candidates = all.filter((c) => c.words.length >= MIN_WORDS && c.s.length <= 1500);
  if (candidates.length <= count) {
    // Too short to rank: everything that reads as a sentence, else the text's first sentences.
    const chosen = (candidates.length ? candidates : all.slice(0, count)).map((c) => c.s);
    return { sentences: chosen, sentenceCount: all.length };
  }
  let pool = candidates;
  while (pool.length > GROUP) {
    const next: typeof pool = [];
    for (let i = 0; i < pool.length; i += GROUP) {
      const group = pool.slice(i, i + GROUP);
      next.push(...best(group, Math.max(count, Math.ceil(group.length / 10))));
      await yieldToLoop();
    }
    if (next.length >= pool.length) break; // cannot shrink further (tiny count): rank what we have
    pool = next;
  }
  const chosen = best(pool, count).sort((a, b) => a.index - b.index);
  return { sentences: chosen.map((c) => c.s), sentenceCount: all.length };
}

/**
 * The text's sentences with their content words, a paragraph at a time, yielding every
 * ~20,000 characters (~10 ms of work): a book's worth of text is megabytes.
 */
async function sentencesOf(text: string): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let sinceYield = 0;
  for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/)) {
    for (const s of splitSentences(paragraph)) out.push({ s, index: out.length, words: contentWords(s) });
    sinceYield += paragraph.length;
    if (sinceYield > 20_000) {
      await yieldToLoop();
      sinceYield = 0;
    }
  }
  return out;
}

interface Candidate {
  s: string;
  index: number;
  words: string[];
}

/** The k best-ranked candidates (ties go to the earlier sentence). */
function best<T extends Candidate>(items: T[], k: number): T[] {
  const scores = rank(items.map((c) => c.words));
  return items
    .map((c, i) => ({ c, score: scores[i]! }))
    .sort((a, b) => b.score - a.score || a.c.index - b.c.index)
    .slice(0, k)
    .map((x) => x.c);
}

/** Weighted PageRank over the sentence-similarity graph; returns one score per sentence. */
export function rank(sentences: string[][]): number[] {
  const n = sentences.length;
  const ids = new Map<string, number>();
  const sets = sentences.map((words) => [...new Set(words.map((w) => ids.get(w) ?? (ids.set(w, ids.size), ids.size - 1)))].sort((a, b) => a - b));
  const weights: Float64Array[] = Array.from({ length: n }, () => new Float64Array(n));
  const outSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const shared = overlap(sets[i]!, sets[j]!);
      if (shared === 0) continue;
      const w = shared / (Math.log(1 + sets[i]!.length) + Math.log(1 + sets[j]!.length));
      weights[i]![j] = w;
      weights[j]![i] = w;
      outSum[i]! += w;
      outSum[j]! += w;
    }
  }
  let score = new Float64Array(n).fill(1);
  for (let iter = 0; iter < 50; iter++) {
    const next = new Float64Array(n);
    let delta = 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const row = weights[i]!;
      for (let j = 0; j < n; j++) if (row[j]! > 0) sum += (row[j]! / outSum[j]!) * score[j]!;
      next[i] = 1 - DAMPING + DAMPING * sum;
      delta = Math.max(delta, Math.abs(next[i]! - score[i]!));
    }
    score = next;
    if (delta < 1e-6) break;
  }
  return [...score];
}

/** Shared elements of two sorted id arrays. */
function overlap(a: number[], b: number[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return n;
}
