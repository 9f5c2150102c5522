/**
 * Ghostscript and qpdf as extra candidates, when this machine has them (skipped otherwise):
 * whichever wins, the output is valid and never larger than the input.
 */
import t from 'tap';
import { textPdf } from '../helpers/fixtures.js';
import { photoPdf } from '../helpers/image-fixtures.js';
import { ghostscriptArgs, qFactor, ghostscriptAvailable } from '../../workers/compress/ghostscript.js';
import { qpdfAvailable } from '../../workers/compress/qpdf.js';
import { settingsFor } from '../../workers/compress/levels.js';
import { compressBytes, pageCount, pageTexts } from './compress-helpers.js';

t.test('imageQuality maps to the Ghostscript QFactor of the same IJG quality', async (t) => {
  t.equal(qFactor(50), 1);
  t.equal(qFactor(80), 0.4);
  t.equal(qFactor(10), 5);
  const args = ghostscriptArgs('in.pdf', 'out.pdf', settingsFor({ compressionLevel: 'high', imageQuality: 80, grayscale: true }));
  t.ok(args.includes('-dColorImageResolution=110'));
  t.ok(args.includes('-sColorConversionStrategy=Gray'));
  t.match(args.join(' '), /QFactor 0\.40/);
});

t.test('with Ghostscript: photos at medium, smallest valid candidate wins', { skip: !ghostscriptAvailable() && 'gs not installed' }, async (t) => {
  const input = photoPdf(2, [1200, 800]);
  const { result, out } = await compressBytes(t, input);
  t.ok(result.candidates.some((c) => c.engine === 'ghostscript'), 'Ghostscript ran');
  t.ok(['mupdf', 'ghostscript'].includes(result.engine));
  t.ok(out.length < input.length);
  const winner = result.candidates.find((c) => c.valid && c.size === out.length);
  t.ok(winner, 'the written file is a validated candidate');
  t.equal(pageCount(out), 2);
  t.same(pageTexts(out), pageTexts(input));
});

t.test('with qpdf: low considers it and keeps the smaller valid result', { skip: !qpdfAvailable() && 'qpdf not installed' }, async (t) => {
  const input = await textPdf(5);
  const { result, out } = await compressBytes(t, input, { compressionLevel: 'low' });
  t.ok(result.candidates.some((c) => c.engine === 'qpdf'), 'qpdf ran');
  t.ok(out.length <= input.length);
  t.same(pageTexts(out), pageTexts(input));
  const sizes = result.candidates.filter((c) => c.valid).map((c) => c.size!);
  t.equal(out.length, Math.min(...sizes, input.length));
});
