import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { parsePageSpec } from '../../src/schemas/pages.js';
import { convertPreview, type ConvertPreviewPayload } from '../../workers/convert-preview.js';
import { tempDir } from '../helpers/app.js';
import { multiPagePdf, ruledTablePdf, scanPdf } from '../helpers/convert-fixtures.js';

async function preview(t: Test, pdf: Buffer, extra: Partial<ConvertPreviewPayload>) {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'in.pdf'), pdf);
  const out = await convertPreview({ path: path.join(dir, 'in.pdf'), scratchDir: dir, format: 'docx', maxPages: 100, dpi: 150, imageFormat: 'png', ocr: false, ...extra });
  if (!out.ok) throw new Error(`${out.error.code}: ${out.error.message}`);
  return out.value;
}

t.test('preview: text layer per page, tables, images, and estimates from a real sample', async (t) => {
  const scan = await preview(t, await scanPdf(), { format: 'docx' });
  t.match(scan, { format: 'docx', page_count: 2, pages_selected: 2, pages_scanned: 2, pages_without_text: [2], images_found: 1 });
  t.match(scan.pages, [{ page: 1, has_text: true, chars: 18, tables: 0, images: 0 }, { page: 2, has_text: false, chars: 0, images: 1 }]);
  t.match(scan.notes, [{ code: 'NO_TEXT_LAYER', pages: [2] }]);
  t.same(scan.sample.pages, [1, 2]);
  t.ok(scan.estimated_output_size > 1000, 'a docx of an image page is some kilobytes');
  t.ok(scan.estimated_time_s >= 0);

  const table = await preview(t, await ruledTablePdf(), { format: 'xlsx' });
  t.match(table, { tables_found: 1, pages: [{ page: 1, tables: 1 }] });

  const { pdf } = await multiPagePdf(6);
  const some = await preview(t, pdf, { format: 'images', dpi: 72, pages: parsePageSpec('2-5') });
  t.match(some, { page_count: 6, pages_selected: 4, pages_scanned: 4 });
  t.same(some.sample.pages, [2, 3, 4]);
  // Four A4 pages at 72 dpi: each PNG is a few kilobytes, the estimate is their sum.
  t.ok(some.estimated_output_size > 4 * 1000 && some.estimated_output_size < 4 * 200_000, `${some.estimated_output_size}`);

  const partial = await preview(t, pdf, { format: 'txt', budgetMs: 0 });
  t.equal(partial.pages_scanned, 1, 'past the time budget pages are not analysed');
  t.match(partial.notes, [{ code: 'PARTIAL_SCAN' }]);
});
