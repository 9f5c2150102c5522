import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadMupdf } from '../../workers/pdf.js';
import { extractPage } from '../../workers/convert/extract.js';
import { cellText } from '../../workers/convert/table-cells.js';
import { detectTables } from '../../workers/convert/tables.js';
import type { Table } from '../../workers/convert/types.js';
import { convert } from '../../workers/convert.js';
import { tempDir } from '../helpers/app.js';
import { ALIGNED, alignedTablePdf, documentXml, FRAMED, framedRowsPdf, mergedHeaderPdf, ruledTablePdf, TABLE, twoColumnPdf } from '../helpers/convert-fixtures.js';

/** The tables found on page 1, as a grid of cell texts (merged cells once, at their first slot). */
async function tablesOf(pdf: Buffer): Promise<Table[]> {
  const mupdf = await loadMupdf();
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const page = doc.loadPage(0);
  const raw = extractPage(mupdf, page, 1, { images: false });
  detectTables(raw.data, raw.rules);
  page.destroy();
  doc.destroy();
  return raw.data.tables;
}

function grid(table: Table): string[][] {
  const rows = Array.from({ length: table.ys.length - 1 }, () => new Array<string>(table.xs.length - 1).fill(''));
  for (const c of table.cells) rows[c.row]![c.col] = cellText(c);
  return rows;
}

t.test('a drawn grid is found with its exact cells', async (t) => {
  const [table, ...more] = await tablesOf(await ruledTablePdf());
  t.equal(more.length, 0);
  t.equal(table?.source, 'ruled');
  t.same(grid(table!), TABLE);
});

t.test('a frame with only a header rule: its body is cut into the text rows', async (t) => {
  const [table] = await tablesOf(await framedRowsPdf());
  t.equal(table?.source, 'ruled');
  t.same(grid(table!), FRAMED);
});

t.test('columns without any rule, and between booktabs rules, are tables', async (t) => {
  for (const rules of ['none', 'booktabs'] as const) {
    const tables = await tablesOf(await alignedTablePdf(rules));
    t.equal(tables.length, 1, rules);
    t.same(grid(tables[0]!), ALIGNED, rules);
  }
});

t.test('a missing rule inside a grid merges cells: Word gets gridSpan, the cell keeps one text', async (t) => {
  const pdf = await mergedHeaderPdf();
  const [table] = await tablesOf(pdf);
  t.match(table?.cells.find((c) => cellText(c) === 'Sales'), { row: 0, col: 1, colSpan: 2, rowSpan: 1 });
  t.match(table?.cells.find((c) => cellText(c) === 'Region'), { row: 0, col: 0, colSpan: 1 });
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'in.pdf'), pdf);
  const out = await convert({ input: path.join(dir, 'in.pdf'), outputDir: dir, format: 'docx', maxPages: 10, dpi: 72, imageFormat: 'png', ocr: false, title: 't' });
  t.ok(out.ok);
  t.match(documentXml(readFileSync(path.join(dir, 'converted.docx'))), /<w:gridSpan w:val="2"\/><\/w:tcPr><w:p>.*?Sales/);
});

t.test('prose in two page columns and a numbered list stay paragraphs', async (t) => {
  t.same(await tablesOf(await twoColumnPdf()), []);
});
