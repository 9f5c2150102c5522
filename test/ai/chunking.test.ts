import t from 'tap';
import { chunkText, joinChunks } from '../../src/ai/chunking.js';

const rebuilt = (text: string, max: number) => {
  const { prefix, chunks } = chunkText(text, max);
  return prefix + chunks.map((c) => c.text + c.sep).join('');
};

t.test('short text: one chunk, nothing changed', async (t) => {
  const { prefix, chunks } = chunkText('\n  Hello world.\n\nSecond paragraph.\n', 1000);
  t.equal(prefix, '\n  ');
  t.same(chunks, [{ text: 'Hello world.\n\nSecond paragraph.', sep: '\n' }]);
});

t.test('cuts between paragraphs, packs them up to the limit, keeps order and separators', async (t) => {
  const paras = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} ${'word '.repeat(20).trim()}.`);
  const text = paras.join('\n\n') + '\n';
  const { chunks } = chunkText(text, 400);
  t.ok(chunks.length > 1);
  for (const c of chunks) {
    t.ok(c.text.length <= 400, 'within the budget');
    t.match(c.text, /^Paragraph \d+/, 'starts at a paragraph');
    t.match(c.text, /\.$/, 'ends at a paragraph end');
  }
  t.equal(rebuilt(text, 400), text, 'nothing lost or reordered');
  const numbers = chunks.flatMap((c) => [...c.text.matchAll(/Paragraph (\d+)/g)].map((m) => Number(m[1])));
  t.same(numbers, paras.map((_, i) => i));
});

t.test('a paragraph over the limit is cut between sentences, then lines, then at spaces', async (t) => {
  const sentences = 'One sentence here. Another one follows! Does a third? Yes it does.';
  t.same(chunkText(sentences, 40).chunks.map((c) => c.text), ['One sentence here. Another one follows!', 'Does a third? Yes it does.']);
  const lines = 'line one without stop\nline two without stop\nline three';
  t.same(chunkText(lines, 25).chunks.map((c) => c.text), ['line one without stop', 'line two without stop', 'line three']);
  const words = 'alpha beta gamma delta epsilon zeta eta theta';
  const cut = chunkText(words, 12).chunks;
  t.ok(cut.every((c) => c.text.length <= 12));
  t.equal(rebuilt(words, 12), words);
  const blob = 'x'.repeat(25);
  t.same(chunkText(blob, 10).chunks.map((c) => c.text), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});

t.test('reassembly of transformed chunks keeps the original whitespace between them', async (t) => {
  const text = 'First para.\nwith a line break.\n\n\nSecond para.\n\nThird.';
  const { prefix, chunks } = chunkText(text, 20);
  const out = joinChunks(prefix, chunks, chunks.map((c) => c.text.toUpperCase()));
  t.equal(out, text.toUpperCase());
});

t.test('round trip on odd inputs', async (t) => {
  const inputs = ['', '   ', 'a', '\n\n\nx\n\n\n', 'a. b. c. d.', 'Ünïcödé — “quoted.” Next one.\r\n\r\nWindows para.', 'no-break'.repeat(50)];
  for (const text of inputs) for (const max of [1, 3, 7, 50, 10_000]) t.equal(rebuilt(text, max), text, `${JSON.stringify(text.slice(0, 20))} @ ${max}`);
  t.throws(() => chunkText('x', 0), RangeError);
});
