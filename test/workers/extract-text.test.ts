import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { extractText } from '../../workers/extract-text.js';
import { parsePageSpec } from '../../src/schemas/pages.js';
import { tempDir } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

t.test('text per page, in order, with empty pages flagged', async (t) => {
  const dir = tempDir(t);
  const doc = await PDFDocument.load(await textPdf(2, { words: 24 }));
  doc.addPage([595, 842]); // a page with no text layer
  const file = path.join(dir, 'in.pdf');
  writeFileSync(file, await doc.save());
  const out = await extractText({ input: file, maxPages: 10 });
  t.ok(out.ok);
  if (!out.ok) return;
  t.equal(out.value.pageCount, 3);
  t.same(out.value.pages.map((p) => [p.page, p.hasText]), [[1, true], [2, true], [3, false]]);
  t.match(out.value.pages[0]!.text, /^Page 1 of the test document\n+word0 word1 word2/);
  t.match(out.value.pages[1]!.text, /Page 2 of the test document/);

  const some = await extractText({ input: file, maxPages: 10, pages: parsePageSpec('2-') });
  t.same(some.ok && some.value.pages.map((p) => p.page), [2, 3]);
  const bad = await extractText({ input: file, maxPages: 10, pages: parsePageSpec('9') });
  t.match(bad, { ok: false, error: { code: 'INVALID_OPTIONS', message: /page 9 does not exist/ } });
});
