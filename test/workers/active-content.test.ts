import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { walkActiveContent } from '../../workers/active-content.js';
import { sanitize } from '../../workers/sanitize.js';
import { tempDir } from '../helpers/app.js';
import { ATTACHMENT_MARKER, activePdf } from '../helpers/active-fixtures.js';
import { textPdf } from '../helpers/fixtures.js';

async function open(bytes: Buffer) {
  const mupdf = await import('mupdf');
  return mupdf.Document.openDocument(bytes, 'application/pdf').asPDF()!;
}

t.test('every kind of active content is found', async (t) => {
  const doc = await open(await activePdf());
  t.same(walkActiveContent(doc, false), {
    javascript: 3, // the names-tree script, the open action, the field keystroke script
    launch: 1,
    uri: 1,
    submit_form: 1,
    remote_goto: 0,
    embedded_files: 2, // the attached file and the file-attachment annotation
    multimedia: 0,
    forms: { fields: 1, xfa: true },
    open_action: true,
  });
  const plain = await open(await textPdf(1));
  t.same(walkActiveContent(plain, false), { javascript: 0, launch: 0, uri: 0, submit_form: 0, remote_goto: 0, embedded_files: 0, multimedia: 0, forms: { fields: 0, xfa: false }, open_action: false });
});

t.test('sanitize removes it all, keeps the text, and drops the attachment bytes', async (t) => {
  const dir = tempDir(t);
  const input = path.join(dir, 'in.pdf');
  const output = path.join(dir, 'out.pdf');
  writeFileSync(input, await activePdf());
  const res = await sanitize({ input, output, maxPages: 10 });
  t.ok(res.ok, JSON.stringify(res));
  if (!res.ok) return;
  t.match(res.value, { javascript: 3, launch: 1, uri: 1, submit_form: 1, embedded_files: 2, open_action: true, forms: { xfa: true } });
  const out = await open(readFileSync(output));
  t.same(walkActiveContent(out, false), { javascript: 0, launch: 0, uri: 0, submit_form: 0, remote_goto: 0, embedded_files: 0, multimedia: 0, forms: { fields: 1, xfa: false }, open_action: false }, 'nothing active left; the field itself stays');
  let embedded = 0;
  for (let i = 1; i < out.countObjects(); i++) {
    const o = out.newIndirect(i);
    if (o.isDictionary() && o.get('Type').isName() && o.get('Type').asName() === 'EmbeddedFile') embedded++;
    if (o.isStream() && o.readStream().asString().includes(ATTACHMENT_MARKER)) embedded++;
  }
  t.equal(embedded, 0, 'the attached file is gone from the file, not just unlinked');
  const text = out.loadPage(0).toStructuredText('preserve-whitespace').asText();
  t.match(text, /Quarterly report with active content/);
});
