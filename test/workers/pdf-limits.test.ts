import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openPdf } from '../../workers/pdf.js';
import { contentBomb, nestedForms, sharedBackground } from '../helpers/hostile.js';

/**
 * openPdf's bomb checks (workers/pdf.ts) on their own: what they refuse, and a heavy but
 * legitimate file they must let through.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-limits-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};

t.test('forms nested 8 deep, each drawing the next 10 times: PDF_TOO_COMPLEX at once', async (t) => {
  const bomb = nestedForms(8, 10);
  t.ok(bomb.length < 4096, `a ${bomb.length}-byte file`);
  // The check counts draws without drawing: the message says which check refused it.
  await t.rejects(openPdf(file('forms.pdf', bomb), { maxPages: 10 }), { code: 'PDF_TOO_COMPLEX', message: /draw their forms/ });
});

t.test('a 600 KB background form on each of 2,000 pages is heavy, not a bomb: it opens', async (t) => {
  const data = sharedBackground(2000, 600_000);
  const opened = await openPdf(file('background.pdf', data), { maxPages: 2000 });
  t.equal(opened.pages, 2000);
  t.equal(opened.size, data.length);
  opened.doc.destroy();
});

t.test('a content stream that inflates to 4 GiB: PDF_TOO_COMPLEX', async (t) => {
  await t.rejects(openPdf(file('content.pdf', contentBomb()), { maxPages: 10 }), { code: 'PDF_TOO_COMPLEX' });
});
