import t from 'tap';
import { summarizeExtractive } from '../../src/ai/summarize.js';
import { splitSentences } from '../../src/ai/sentences.js';
import { textRank } from '../../src/ai/textrank.js';

/** A known text: the photosynthesis sentences share words and should outrank the asides. */
const TEXT = `Photosynthesis is the process by which green plants convert light energy into chemical energy.
During photosynthesis, plants absorb carbon dioxide and water and release oxygen.

The chemical energy produced by photosynthesis is stored in glucose molecules inside the plant.
My neighbour once painted his fence bright orange on a Tuesday.
Chlorophyll in the leaves captures the light energy that drives photosynthesis in plants.

Dr. Smith measured the rate of photosynthesis in plants under different light levels, e.g. dim and bright light.
The weather was pleasant yesterday afternoon.
Without photosynthesis, plants could not produce the chemical energy and oxygen that animals need.`;

const flat = (s: string) => s.replace(/\s+/g, ' ');

t.test('sentence splitting: paragraph and sentence ends, abbreviations kept inside', async (t) => {
  const s = splitSentences(TEXT);
  t.equal(s.length, 8);
  t.equal(s[5], 'Dr. Smith measured the rate of photosynthesis in plants under different light levels, e.g. dim and bright light.');
  t.same(splitSentences('Heading without stop\n\nBody. More body?  Yes!'), ['Heading without stop', 'Body.', 'More body?', 'Yes!']);
  t.same(splitSentences('J. R. R. Tolkien wrote books. He was British.'), ['J. R. R. Tolkien wrote books.', 'He was British.']);
  t.same(splitSentences('第一句。第二句！'), ['第一句。', '第二句！']);
});

t.test('extractive summary: sentences come verbatim from the text, in text order, the central ones first', async (t) => {
  const { summary, sentences, sentenceCount } = await summarizeExtractive(TEXT, 'short');
  t.equal(sentenceCount, 8);
  t.equal(sentences.length, 3);
  for (const s of sentences) t.ok(flat(TEXT).includes(s), `from the text: ${s}`);
  t.equal(summary, sentences.join(' '));
  const positions = sentences.map((s) => flat(TEXT).indexOf(s));
  t.same(positions, [...positions].sort((a, b) => a - b), 'in the order of the text');
  t.notOk(sentences.some((s) => /fence|weather/.test(s)), 'the off-topic asides are not chosen');
  t.ok(sentences.every((s) => /photosynthesis/i.test(s)));
});

t.test('lengths: short < medium < long; a text shorter than the request comes back whole', async (t) => {
  const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about topic ${i % 5} and shared words like system data.`).join(' ');
  const counts = await Promise.all((['short', 'medium', 'long'] as const).map(async (l) => (await summarizeExtractive(long, l)).sentences.length));
  t.same(counts, [3, 6, 12]);
  const tiny = await summarizeExtractive('Only one real sentence here, nothing else.', 'long');
  t.same(tiny.sentences, ['Only one real sentence here, nothing else.']);
  const fragments = await textRank('Yes. No. Maybe.', 2);
  t.same(fragments.sentences, ['Yes.', 'No.'], 'no real sentences: the first ones');
});

t.test('a long text is ranked in groups and still returns sentences of the text', async (t) => {
  const topics = ['energy', 'water', 'soil', 'climate', 'forests'];
  const text = Array.from({ length: 2000 }, (_, i) => `Report line ${i} discusses ${topics[i % 5]} policy and ${topics[(i + 1) % 5]} impacts in region ${i % 17}.`).join(' ');
  const { sentences, sentenceCount } = await textRank(text, 5);
  t.equal(sentenceCount, 2000);
  t.equal(sentences.length, 5);
  for (const s of sentences) t.ok(text.includes(s));
});
