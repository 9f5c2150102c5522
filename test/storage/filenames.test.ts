import t from 'tap';
import { contentDisposition, safeFilename, withExtension, withSuffix } from '../../src/storage/filenames.js';

t.test('safeFilename keeps the last path segment and drops what could hurt', async (t) => {
  t.equal(safeFilename('../../etc/passwd.pdf'), 'passwd.pdf');
  t.equal(safeFilename('C:\\Users\\me\\report.pdf'), 'report.pdf');
  t.equal(safeFilename('a\u0000b\r\n.pdf'), 'ab.pdf', 'control characters');
  t.equal(safeFilename('a<b>:"c|?*.pdf'), 'a_b___c___.pdf', 'characters Windows refuses');
  t.equal(safeFilename('...hidden.pdf'), 'hidden.pdf', 'no leading dots');
  t.equal(safeFilename('  .. '), 'document.pdf', 'never empty');
  t.equal(safeFilename(undefined, 'x.pdf'), 'x.pdf');
});

t.test('safeFilename drops bidi controls and invisible format characters', async (t) => {
  // U+202E would make this display as "invoiceexe.pdf" while it ends in .exe.
  t.equal(safeFilename('invoice\u202Efdp.exe'), 'invoicefdp.exe');
  t.equal(safeFilename('\u2066a\u2069\u200Fb\u200E\u061C\uFEFF\u200B.pdf'), 'ab.pdf');
  // Joiners are part of real names (Persian ZWNJ, emoji sequences) and stay.
  t.equal(safeFilename('می\u200Cخواهم.pdf'), 'می\u200Cخواهم.pdf');
  t.equal(safeFilename('👩\u200D💻.pdf'), '👩\u200D💻.pdf');
});

t.test('safeFilename bounds the length and keeps the extension', async (t) => {
  const name = safeFilename(`${'é'.repeat(1000)}.pdf`);
  t.equal([...name].length, 150);
  t.ok(name.endsWith('.pdf'));
  t.equal(safeFilename('ünïcödé 文件.pdf'), 'ünïcödé 文件.pdf', 'unicode names are kept');
});

t.test('name helpers and Content-Disposition', async (t) => {
  t.equal(withExtension('report.pdf', '.docx'), 'report.docx');
  t.equal(withExtension('report', '.txt'), 'report.txt');
  t.equal(withSuffix('report.pdf', '_compressed'), 'report_compressed.pdf');
  const cd = contentDisposition('rapport é "x".pdf');
  t.match(cd, /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[\w.%!~'()*-]*$/);
  t.equal(decodeURIComponent(cd.split("UTF-8''")[1]!), 'rapport é "x".pdf');
});
