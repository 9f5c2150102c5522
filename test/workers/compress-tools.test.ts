/**
 * Ghostscript and qpdf as extra candidates: decided from the document before any work
 * (plan.ts), run in the job's own slot, and reproducible. Runs needing a tool are skipped
 * when this machine lacks it.
 */
import t from 'tap';
import * as mupdf from 'mupdf';
import { flatePhotoPdf } from '../helpers/image-fixtures.js';
import { type1Pdf } from '../helpers/font-fixtures.js';
import { ghostscriptArgs, ghostscriptAvailable } from '../../workers/compress/ghostscript.js';
import { qpdfAvailable } from '../../workers/compress/qpdf.js';
import { settingsFor } from '../../workers/compress/levels.js';
import { planTools } from '../../workers/compress/plan.js';
import { docStats } from '../../workers/compress/doc-stats.js';
import { zlibLevelFor } from '../../workers/compress/lossless.js';
import { compressBytes, pageTexts } from './compress-helpers.js';

function planFor(bytes: Buffer, level: 'low' | 'medium' | 'high', removeMetadata = false) {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf').asPDF()!;
  const plan = planTools(docStats(doc), bytes.length, zlibLevelFor(doc), settingsFor({ compressionLevel: level, imageQuality: 80, removeMetadata }), { gs: true, qpdf: true });
  doc.destroy();
  return plan;
}

t.test('Ghostscript is a font pre-pass: images keep their pixels, whatever the level', async (t) => {
  const args = ghostscriptArgs('in.pdf', 'out.pdf', false).join(' ');
  t.match(args, /-dDownsampleColorImages=false/);
  t.match(args, /-dPassThroughJPEGImages=true/);
  t.match(args, /-dColorImageFilter=\/FlateEncode/);
  t.notMatch(args, /DCTEncode|QFactor|Resolution=/);
  t.match(ghostscriptArgs('in.pdf', 'out.pdf', true).join(' '), /-sColorConversionStrategy=Gray/);
});

t.test('the plan comes from the document, the same at every lossy level', async (t) => {
  const fonts = type1Pdf();
  t.same(planFor(fonts, 'medium'), planFor(fonts, 'high'));
  t.equal(planFor(fonts, 'medium').ghostscript, true, 'Type1 programs are most of the file');
  t.equal(planFor(fonts, 'low').ghostscript, false, 'low stays lossless: no Ghostscript');
  const photos = flatePhotoPdf(2);
  t.equal(planFor(photos, 'medium').ghostscript, false, 'photos are no reason to run it');
  t.equal(planFor(photos, 'low').qpdf, planFor(photos, 'high').qpdf);
  t.equal(planFor(photos, 'low', true).qpdf, false, 'qpdf keeps metadata, so not when it must go');
});

t.test('with Ghostscript: a Type1-heavy file gets the pre-pass, valid and reproducible', { skip: !ghostscriptAvailable() && 'gs not installed' }, async (t) => {
  const input = type1Pdf();
  const a = await compressBytes(t, input);
  // A second apart: Ghostscript stamps the clock into dates, XMP and /ID, MuPDF into /ID.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const b = await compressBytes(t, input);
  const gs = a.result.candidates.find((c) => c.engine === 'ghostscript');
  t.ok(gs, 'Ghostscript ran');
  t.ok(a.out.length < input.length);
  t.same(pageTexts(a.out), pageTexts(input));
  t.ok(a.out.equals(b.out), 'two runs, the same bytes');
  t.equal(a.result.engine, b.result.engine);
});

t.test('with qpdf: a large lossless document at low considers it, smallest valid wins', { skip: !qpdfAvailable() && 'qpdf not installed' }, async (t) => {
  const input = flatePhotoPdf(4);
  const plan = planFor(input, 'low');
  const { result, out } = await compressBytes(t, input, { compressionLevel: 'low' });
  t.equal(result.candidates.some((c) => c.engine === 'qpdf'), plan.qpdf, `qpdf ran exactly when planned (${plan.qpdf})`);
  t.ok(out.length <= input.length);
  const sizes = result.candidates.filter((c) => c.valid).map((c) => c.size!);
  t.equal(out.length, Math.min(...sizes, input.length));
});
