/**
 * Candidate validation (a corrupt or lossy-gone-wrong candidate must be rejected) and the
 * byte-level helper the engine relies on: the xref-stream repack.
 */
import t from 'tap';
import * as mupdf from 'mupdf';
import { textPdf } from '../helpers/fixtures.js';
import { photoPdf } from '../helpers/image-fixtures.js';
import { buildReference, validate } from '../../workers/compress/validate.js';
import { repackXrefStream, stableId } from '../../workers/compress/xref-stream.js';

function reference(bytes: Buffer) {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  // Kept open: the reference renders the original's pages when a check first asks for them.
  return buildReference(mupdf, doc);
}

/** The PDF after `edit` on its MuPDF document. */
function edited(bytes: Buffer, edit: (doc: mupdf.PDFDocument) => void): Uint8Array {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf').asPDF()!;
  edit(doc);
  const out = doc.saveToBuffer('compress').asUint8Array().slice();
  doc.destroy();
  return out;
}

t.test('an honest rewrite passes, lossless and lossy', async (t) => {
  const input = await textPdf(3);
  const ref = reference(input);
  const rewritten = edited(input, () => {});
  t.same(validate(mupdf, ref, rewritten, false, [0, 1]), { ok: true });
  t.same(validate(mupdf, ref, rewritten, true, [0, 1]), { ok: true });
});

t.test('corrupt candidates are rejected with a reason', async (t) => {
  const input = await textPdf(3);
  const ref = reference(input);
  const truncated = validate(mupdf, ref, input.subarray(0, Math.floor(input.length / 2)), false, [0]);
  t.equal(truncated.ok, false, 'truncated file');
  const lostPage = validate(mupdf, ref, edited(input, (d) => d.deletePage(2)), false, [0]);
  t.match(lostPage, { ok: false, reason: /has 2 pages instead of 3/ });
  const lostText = validate(mupdf, ref, edited(input, (d) => d.findPage(1).put('Contents', d.addStream('', {}))), true, [0]);
  t.match(lostText, { ok: false, reason: /text differs on page 2/ });
});

t.test('a lossy candidate whose image went wrong is rejected', async (t) => {
  const input = photoPdf(2, [600, 400]);
  const ref = reference(input);
  // The photo replaced by a flat gray one: text intact, picture lost.
  const flat = edited(input, (d) => {
    for (let num = 1; num < d.countObjects(); num++) {
      const obj = d.newIndirect(num);
      if (obj.isStream() && obj.get('Subtype').toString() === '/Image') {
        obj.writeStream(new Uint8Array(obj.get('Width').asNumber() * obj.get('Height').asNumber() * 3).fill(128));
      }
    }
  });
  t.match(validate(mupdf, ref, flat, true, [0, 1]), { ok: false, reason: /rendering of page 1 differs/, page: 0 });
});

t.test('the xref stream repack keeps every object reachable and saves bytes', async (t) => {
  const doc = mupdf.Document.openDocument(await textPdf(4), 'application/pdf').asPDF()!;
  // 5,000 extra objects, as in a long document, so the cross-reference table is sizeable.
  const many = doc.newArray();
  for (let i = 0; i < 5000; i++) many.push(doc.addObject(doc.newInteger(i)));
  doc.getTrailer().get('Root').put('Extra', many);
  const saved = doc.saveToBuffer('garbage=2,compress,objstms').asUint8Array().slice();
  const objects = doc.countObjects();
  doc.destroy();
  const repacked = repackXrefStream(saved);
  t.ok(repacked.length < saved.length, `${repacked.length} < ${saved.length}`);
  const back = mupdf.Document.openDocument(repacked, 'application/pdf').asPDF()!;
  t.equal(back.wasRepaired(), false, 'opens without repair');
  t.equal(back.countPages(), 4);
  t.equal(back.getTrailer().get('Root', 'Extra', 4999).asNumber(), 4999, 'the last object still resolves');
  t.equal(back.countObjects(), objects);
  back.destroy();
  t.equal(repackXrefStream(Buffer.from('not a pdf')).toString(), 'not a pdf', 'anything else passes through');
});

t.test('stableId: two saves of the same document a second apart end up byte for byte the same', async (t) => {
  const input = await textPdf(2);
  const save = () => {
    const doc = mupdf.Document.openDocument(input, 'application/pdf').asPDF()!;
    // An /ID as pdfTeX and most producers write one (pdf-lib writes none).
    const id = doc.newArray();
    for (let i = 0; i < 2; i++) id.push(doc.newString('0123456789abcdef'));
    doc.getTrailer().put('ID', id);
    const out = repackXrefStream(doc.saveToBuffer('garbage=2,compress,objstms').asUint8Array().slice());
    doc.destroy();
    return out;
  };
  const first = save();
  // MuPDF makes the /ID's second half from the clock: a second later it differs.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const second = save();
  t.notOk(Buffer.from(first).equals(Buffer.from(second)), 'MuPDF alone: different bytes');
  const [a, b] = [stableId(first), stableId(second)];
  t.ok(Buffer.from(a).equals(Buffer.from(b)), 'after stableId: the same bytes');
  const back = mupdf.Document.openDocument(a, 'application/pdf').asPDF()!;
  t.equal(back.wasRepaired(), false, 'opens without repair');
  t.equal(back.getTrailer().get('ID').length, 2);
  back.destroy();
});

t.test('stableId: a second /ID half that MuPDF wrote as a literal string is taken too', async (t) => {
  const doc = mupdf.Document.openDocument(await textPdf(1), 'application/pdf').asPDF()!;
  const id = doc.newArray();
  for (let i = 0; i < 2; i++) id.push(doc.newString('0123456789abcdef'));
  doc.getTrailer().put('ID', id);
  const saved = Buffer.from(repackXrefStream(doc.saveToBuffer('garbage=2,compress,objstms').asUint8Array().slice()));
  doc.destroy();
  // MuPDF prints a string whose bytes are mostly printable as a literal: two saves, two such values.
  const literal = (value: string) => {
    const text = saved.toString('latin1');
    const m = /(\/ID\s*\[\s*\(0123456789abcdef\)\s*)<[0-9A-Fa-f]{32}>/.exec(text.slice(text.lastIndexOf('startxref') - 4096));
    t.ok(m, 'the /ID as MuPDF wrote it');
    return Buffer.from(text.replace(m![0], `${m![1]}(${value})`), 'latin1');
  };
  const [a, b] = [stableId(literal('k3Y\\)x!aQ9#pZ2wL')), stableId(literal('0123456789abcdef'))];
  t.ok(Buffer.from(a).equals(Buffer.from(b)), 'the same bytes whatever the value and its form');
  const back = mupdf.Document.openDocument(a, 'application/pdf').asPDF()!;
  t.equal(back.wasRepaired(), false, 'opens without repair');
  t.equal(back.getTrailer().get('ID').get(1).asByteString().length, 16, 'a 16-byte second half');
  back.destroy();
});
