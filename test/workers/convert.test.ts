import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import ExcelJS from 'exceljs';
import { parsePageSpec } from '../../src/schemas/pages.js';
import { convert, type ConvertPayload, type ConvertTaskResult } from '../../workers/convert.js';
import { tempDir } from '../helpers/app.js';
import { docxText, documentXml, multiPagePdf, readZip, ruledTablePdf, scanPdf, STYLED, styledPdf, TABLE } from '../helpers/convert-fixtures.js';
import { encryptedPdf, textPdf, truncatedPdf } from '../helpers/fixtures.js';

/** Runs the convert task in this thread, exactly as a pool thread runs it. */
async function run(t: Test, pdf: Buffer, format: ConvertPayload['format'], extra: Partial<ConvertPayload> = {}) {
  const dir = tempDir(t, 'convert-');
  const input = path.join(dir, 'in.pdf');
  writeFileSync(input, pdf);
  const outcome = await convert({ input, outputDir: dir, format, maxPages: 100, dpi: 72, imageFormat: 'png', ocr: false, title: 'doc', ...extra });
  return { outcome, file: (name: string) => readFileSync(path.join(dir, name)) };
}

async function ok(t: Test, pdf: Buffer, format: ConvertPayload['format'], extra: Partial<ConvertPayload> = {}) {
  const { outcome, file } = await run(t, pdf, format, extra);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  const result = outcome.value as ConvertTaskResult; // no `step`: a whole conversion
  return { result, out: file(result.output) };
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

t.test('txt: every known line in order, pages separated by form feeds', async (t) => {
  const { pdf, lines } = await multiPagePdf(3);
  const { result, out } = await ok(t, pdf, 'txt');
  const pages = out.toString('utf8').split('\f');
  t.equal(pages.length, 3);
  pages.forEach((text, i) => t.equal(squash(text), squash(lines[i]!.join('\n')), `page ${i + 1}`));
  t.match(result, { format: 'txt', pages_converted: 3, page_count: 3, pages_without_text: [], tables_found: null, notes: [] });
});

t.test('txt: a page range converts only those pages', async (t) => {
  const { pdf, lines } = await multiPagePdf(4);
  const { result, out } = await ok(t, pdf, 'txt', { pages: parsePageSpec('2-3') });
  t.equal(result.pages_converted, 2);
  t.same(out.toString('utf8').split('\f').map(squash), [squash(lines[1]!.join(' ')), squash(lines[2]!.join(' '))]);
});

t.test('docx: heading styles, bold and italic runs, the image in place, page breaks', async (t) => {
  const { result, out } = await ok(t, await styledPdf(), 'docx');
  t.match(result, { format: 'docx', pages_converted: 1, images_found: 1 });
  const xml = documentXml(out);
  t.match(xml, /<w:pStyle w:val="Heading1"\/>.*Annual Report/, 'the 24 pt title is Heading 1');
  t.match(xml, /<w:pStyle w:val="Heading2"\/>.*Summary of the year/, 'the 16 pt subtitle is Heading 2');
  t.match(xml, new RegExp(`<w:b/>[^]*?<w:t xml:space="preserve">${STYLED.bold}</w:t>`), 'bold run');
  t.match(xml, new RegExp(`<w:i/>[^]*?<w:t xml:space="preserve">${STYLED.italic}</w:t>`), 'italic run');
  const text = docxText(xml);
  // The three wrapped lines are one paragraph again.
  t.match(text, /This paragraph opens with a bold statement and goes on for a while so that it wraps onto a second line with an italic remark in the middle of the text and ends on the third line\.\n/);
  const image = xml.indexOf('<w:drawing>');
  t.ok(image > xml.indexOf('third line') && image < xml.indexOf(STYLED.after), 'the image sits between the paragraph and the closing line');
  const media = readZip(out).filter((e) => e.name.startsWith('word/media/'));
  t.equal(media.length, 1);
  t.same([...media[0]!.data.subarray(1, 4)], [...Buffer.from('PNG')], 'embedded as PNG');
});

t.test('docx: multi-page text reads back whole, one page break between pages', async (t) => {
  const { pdf, lines } = await multiPagePdf(3);
  const { out } = await ok(t, pdf, 'docx');
  const pages = docxText(documentXml(out)).split('\f');
  t.equal(pages.length, 3);
  pages.forEach((text, i) => t.equal(squash(text), squash(lines[i]!.join(' ')), `page ${i + 1}`));
});

t.test('ruled table: xlsx cells equal the values, numbers stored as numbers; docx and html have real tables', async (t) => {
  const pdf = await ruledTablePdf();
  const xlsx = await ok(t, pdf, 'xlsx');
  t.match(xlsx.result, { tables_found: 1, notes: [] });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.out as unknown as ArrayBuffer);
  t.equal(wb.worksheets.length, 1);
  const ws = wb.worksheets[0]!;
  t.equal(ws.name, 'Table 1 (p1)');
  const values = TABLE.map((_, r) => TABLE[0]!.map((_, c) => ws.getRow(r + 1).getCell(c + 1).value));
  t.same(values, [
    ['Item', 'Qty', 'Price', 'Share'],
    ['Apples', 12, 3.5, 0.25],
    ['Pears', 7, 1250, 0.6],
    ['Plums', 0, -4.25, 0.15],
  ]);
  t.equal(ws.getRow(2).getCell(4).numFmt, '0.##%', 'a percentage keeps its look');
  t.equal(ws.getRow(1).getCell(1).font?.bold, true, 'bold header cells stay bold');

  const docx = await ok(t, pdf, 'docx');
  const xml = documentXml(docx.out);
  t.equal(xml.match(/<w:tbl>/g)?.length, 1, 'one Word table');
  t.equal(xml.match(/<w:tr>/g)?.length, 4);
  t.equal(xml.match(/<w:tc>/g)?.length, 16);
  const cells = [...xml.matchAll(/<w:tc>(.*?)<\/w:tc>/g)].map((m) => docxText(m[1]!).trim());
  t.same(cells, TABLE.flat());
  t.ok(xml.indexOf('Quarterly figures') < xml.indexOf('<w:tbl>') && xml.indexOf('</w:tbl>') < xml.indexOf('fruit sold'), 'the table is in place');

  const html = (await ok(t, pdf, 'html')).out.toString('utf8');
  t.equal(html.match(/<td/g)?.length, 16);
  t.match(html, /<td><b>Item<\/b><\/td>/);
});

t.test('xlsx without tables: one sheet of text lines and a note', async (t) => {
  const { pdf, lines } = await multiPagePdf(2);
  const { result, out } = await ok(t, pdf, 'xlsx');
  t.equal(result.tables_found, 0);
  t.match(result.notes, [{ code: 'NO_TABLES' }]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(out as unknown as ArrayBuffer);
  t.same(wb.worksheets.map((w) => w.name), ['Text']);
  const col: unknown[] = [];
  wb.worksheets[0]!.eachRow((row) => col.push(row.getCell(1).value));
  t.same(col, lines.flat());
});

t.test('html: one self-contained file with headings, styles, the image inline and selectable text', async (t) => {
  const { result, out } = await ok(t, await styledPdf(), 'html');
  const html = out.toString('utf8');
  t.equal(result.images_found, 1);
  t.match(html, /^<!DOCTYPE html>/);
  t.match(html, /<h1><b>Annual Report<\/b><\/h1>/);
  t.match(html, /<b>bold statement<\/b>/);
  t.match(html, /<i>italic remark<\/i>/);
  t.match(html, /<img alt="" width="150" src="data:image\/png;base64,[A-Za-z0-9+/=]+">/);
  t.notMatch(html, /src="http|<link /, 'nothing loaded from elsewhere');
});

t.test('a page without a text layer is reported, never silently empty', async (t) => {
  const pdf = await scanPdf();
  for (const format of ['txt', 'docx'] as const) {
    const { result } = await ok(t, pdf, format);
    t.same(result.pages_without_text, [2], format);
    t.match(result.notes, [{ code: 'NO_TEXT_LAYER', pages: [2], message: /Page 2 has no text layer/ }]);
  }
  const { result, out } = await ok(t, pdf, 'docx', { ocr: true });
  // The task itself never runs OCR (the job handler does, before it): a page still without
  // text after OCR is reported as such.
  t.match(result.notes, [{ code: 'NO_TEXT_LAYER', message: /OCR found no text on them either/ }]);
  t.equal(readZip(out).filter((e) => e.name.startsWith('word/media/')).length, 1, 'the scan itself is kept as an image');
});

t.test('images: one image per page, zipped; png or jpeg at the requested dpi', async (t) => {
  const { pdf } = await multiPagePdf(3);
  const png = await ok(t, pdf, 'images', { dpi: 72 });
  t.match(png.result, { format: 'images', pages_converted: 3 });
  const entries = readZip(png.out);
  t.same(entries.map((e) => e.name), ['page-1.png', 'page-2.png', 'page-3.png']);
  for (const e of entries) {
    t.same([...e.data.subarray(1, 4)], [...Buffer.from('PNG')]);
    t.same([e.data.readUInt32BE(16), e.data.readUInt32BE(20)], [595, 842], 'A4 at 72 dpi');
  }
  const jpeg = await ok(t, pdf, 'images', { dpi: 36, imageFormat: 'jpeg', pages: parsePageSpec('3') });
  const [only] = readZip(jpeg.out);
  t.equal(only?.name, 'page-3.jpg');
  t.same([...only!.data.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG');
});

t.test('bad input fails with a code, never a crash', async (t) => {
  t.match((await run(t, await truncatedPdf(), 'docx')).outcome, { ok: false, error: { code: 'INVALID_PDF' } });
  t.match((await run(t, await encryptedPdf(), 'docx')).outcome, { ok: false, error: { code: 'ENCRYPTED_PDF' } });
  t.match((await run(t, await textPdf(2), 'docx', { pages: parsePageSpec('5') })).outcome, { ok: false, error: { code: 'INVALID_OPTIONS', message: /page 5 does not exist/ } });
  t.match((await run(t, await textPdf(2), 'txt', { pages: parsePageSpec('5') })).outcome, { ok: false, error: { code: 'INVALID_OPTIONS' } });
});
