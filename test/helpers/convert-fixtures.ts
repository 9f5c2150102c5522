import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { readZip } from '../../workers/convert/zip-read.js';

/**
 * Conversion inputs generated on the fly, each with the content the test expects back.
 * pdf-lib writes the text with standard fonts (Helvetica, -Bold, -Oblique, Courier), so
 * MuPDF reports the styles from the font names exactly as it does for real documents.
 */

/** A PNG of w×h pixels (a colour gradient), made with MuPDF. */
export async function pngImage(w = 60, h = 40): Promise<Buffer> {
  const mupdf = await import('mupdf');
  const pix = new mupdf.Pixmap(mupdf.ColorSpace.DeviceRGB, [0, 0, w, h], false);
  const px = pix.getPixels();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      px[i] = (x * 255) / w;
      px[i + 1] = (y * 255) / h;
      px[i + 2] = 128;
    }
  }
  const png = Buffer.from(pix.asPNG());
  pix.destroy();
  return png;
}

/** Lines of known text per page; page n's lines all contain "pN". */
export function knownLines(pages: number): string[][] {
  return Array.from({ length: pages }, (_, p) => [
    `Chapter ${p + 1} heading`,
    ...Array.from({ length: 6 }, (_, l) => `p${p + 1} line ${l + 1}: the quick brown fox jumps over the lazy dog.`),
  ]);
}

/** One line per drawText, 14 pt apart, never wrapping: each line is a paragraph of its own in MuPDF's eyes. */
export async function multiPagePdf(pages = 3): Promise<{ pdf: Buffer; lines: string[][] }> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const lines = knownLines(pages);
  for (const pageLines of lines) {
    const page = doc.addPage([595, 842]);
    pageLines.forEach((text, i) => page.drawText(text, { x: 56, y: 780 - i * 28, size: 11, font }));
  }
  return { pdf: Buffer.from(await doc.save()), lines };
}

/** Draws pieces of one line in different fonts, left to right. */
function drawRuns(page: PDFPage, runs: [string, PDFFont][], x: number, y: number, size: number): void {
  for (const [text, font] of runs) {
    page.drawText(text, { x, y, size, font });
    x += font.widthOfTextAtSize(text, size);
  }
}

export const STYLED = {
  title: 'Annual Report',
  subtitle: 'Summary of the year',
  bold: 'bold statement',
  italic: 'italic remark',
  after: 'Text after the picture.',
};

/**
 * A heading (24 pt bold), a subheading (16 pt bold), a body paragraph of three wrapped lines
 * with a bold and an italic run, an image, then a closing line.
 */
export async function styledPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const italic = await doc.embedFont(StandardFonts.HelveticaOblique);
  const page = doc.addPage([595, 842]);
  page.drawText(STYLED.title, { x: 56, y: 770, size: 24, font: bold });
  page.drawText(STYLED.subtitle, { x: 56, y: 735, size: 16, font: bold });
  drawRuns(page, [['This paragraph opens with a ', regular], [STYLED.bold, bold], [' and goes on for a while so that', regular]], 56, 705, 11);
  drawRuns(page, [['it wraps onto a second line with an ', regular], [STYLED.italic, italic], [' in the middle of the text and', regular]], 56, 691, 11);
  drawRuns(page, [['ends on the third line.', regular]], 56, 677, 11);
  const img = await doc.embedPng(await pngImage());
  page.drawImage(img, { x: 56, y: 520, width: 150, height: 100 });
  page.drawText(STYLED.after, { x: 56, y: 490, size: 11, font: regular });
  return Buffer.from(await doc.save());
}

/** The cells of the ruled table fixture; numbers as printed. */
export const TABLE = [
  ['Item', 'Qty', 'Price', 'Share'],
  ['Apples', '12', '3.50', '25%'],
  ['Pears', '7', '1,250.00', '60%'],
  ['Plums', '0', '-4.25', '15%'],
];

/** A fully ruled 4×4 table under a heading, with a paragraph after it. */
export async function ruledTablePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const page = doc.addPage([595, 842]);
  page.drawText('Quarterly figures', { x: 50, y: 780, size: 18, font: bold });
  const widths = [150, 70, 100, 80];
  const x0 = 50;
  const top = 740;
  const rowH = 22;
  TABLE.forEach((row, r) => {
    let x = x0;
    row.forEach((text, c) => {
      page.drawText(text, { x: x + 5, y: top - (r + 1) * rowH + 7, size: 10, font: r === 0 ? bold : font });
      x += widths[c]!;
    });
  });
  const width = widths.reduce((a, b) => a + b, 0);
  for (let r = 0; r <= TABLE.length; r++) page.drawLine({ start: { x: x0, y: top - r * rowH }, end: { x: x0 + width, y: top - r * rowH }, thickness: 0.8, color: rgb(0, 0, 0) });
  let x = x0;
  for (let c = 0; c <= widths.length; c++) {
    page.drawLine({ start: { x, y: top }, end: { x, y: top - TABLE.length * rowH }, thickness: 0.8, color: rgb(0, 0, 0) });
    x += widths[c] ?? 0;
  }
  page.drawText('The table above lists the fruit sold.', { x: 50, y: top - TABLE.length * rowH - 30, size: 11, font });
  return Buffer.from(await doc.save());
}

/** Page 1 has text; page 2 is only an image (a "scan" without a text layer). */
export async function scanPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('A page with real text.', { x: 56, y: 780, size: 12, font });
  const img = await doc.embedPng(await pngImage(120, 170));
  doc.addPage([595, 842]).drawImage(img, { x: 0, y: 0, width: 595, height: 842 });
  return Buffer.from(await doc.save());
}

export const ALIGNED = [
  ['Country', 'Capital', 'Population'],
  ['France', 'Paris', '68.4'],
  ['Spain', 'Madrid', '48.6'],
  ['Portugal', 'Lisbon', '10.5'],
];

/**
 * Tables without a grid, drawn row by row as typesetters do: columns only by their white
 * gaps (`rules: 'none'`), or between three horizontal rules, booktabs style (`'booktabs'`).
 */
export async function alignedTablePdf(rules: 'none' | 'booktabs' = 'none'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Some capitals of Europe are listed below.', { x: 56, y: 780, size: 11, font });
  const xs = [56, 200, 330];
  const top = 750;
  ALIGNED.forEach((row, r) => row.forEach((text, c) => page.drawText(text, { x: xs[c]!, y: top - r * 16, size: 11, font })));
  if (rules === 'booktabs') {
    for (const y of [top + 14, top - 5, top - (ALIGNED.length - 1) * 16 - 6]) page.drawLine({ start: { x: 50, y }, end: { x: 420, y }, thickness: 0.6 });
  }
  page.drawText('Populations are in millions.', { x: 56, y: top - ALIGNED.length * 16 - 20, size: 11, font });
  return Buffer.from(await doc.save());
}

/** A ruled grid whose header cell "Sales" spans two columns (no rule between them in row 1). */
export async function mergedHeaderPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const xs = [50, 200, 300, 400];
  const ys = [700, 680, 660, 640];
  const cells: [number, number, string][] = [[0, 0, 'Region'], [0, 1, 'Sales'], [1, 1, 'Q1'], [1, 2, 'Q2'], [2, 0, 'North'], [2, 1, '10'], [2, 2, '12']];
  for (const [r, c, text] of cells) page.drawText(text, { x: xs[c]! + 5, y: ys[r]! - 14, size: 10, font });
  for (const y of ys) page.drawLine({ start: { x: 50, y }, end: { x: 400, y }, thickness: 0.8 });
  page.drawLine({ start: { x: 50, y: 700 }, end: { x: 50, y: 640 }, thickness: 0.8 });
  page.drawLine({ start: { x: 400, y: 700 }, end: { x: 400, y: 640 }, thickness: 0.8 });
  page.drawLine({ start: { x: 200, y: 700 }, end: { x: 200, y: 640 }, thickness: 0.8 });
  page.drawLine({ start: { x: 300, y: 680 }, end: { x: 300, y: 640 }, thickness: 0.8 }); // not in the header row
  return Buffer.from(await doc.save());
}

export const FRAMED = [
  ['Key', 'Action'],
  ['^B', 'move back a character'],
  ['^F', 'move forward a character'],
  ['^A', 'go to the start of the line'],
];

/** A frame with one column rule and one rule under the header: the body rows are only text lines. */
export async function framedRowsPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const [left, mid, right, top] = [60, 140, 400, 700];
  FRAMED.forEach(([key, action], r) => {
    const y = top - 16 - r * 14 - (r > 0 ? 6 : 0);
    page.drawText(key!, { x: left + 6, y, size: 10, font });
    page.drawText(action!, { x: mid + 6, y, size: 10, font });
  });
  const bottom = top - 16 - FRAMED.length * 14 - 6;
  for (const y of [top, top - 22, bottom]) page.drawLine({ start: { x: left, y }, end: { x: right, y }, thickness: 0.8 });
  for (const x of [left, mid, right]) page.drawLine({ start: { x, y: top }, end: { x, y: bottom }, thickness: 0.8 });
  return Buffer.from(await doc.save());
}

/** Prose set in two columns, each drawn top to bottom: a page layout, not a table. */
export async function twoColumnPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  for (const [x, side] of [[56, 'left'], [310, 'right']] as const) {
    for (let i = 0; i < 10; i++) page.drawText(`${side} column line ${i + 1} of prose`, { x, y: 780 - i * 14, size: 10, font });
  }
  for (let i = 0; i < 4; i++) page.drawText(`${i + 1}.   An enumerated item whose text runs long`, { x: 56, y: 600 - i * 14, size: 10, font });
  return Buffer.from(await doc.save());
}

/** word/document.xml of a .docx. */
export function documentXml(docx: Buffer): string {
  const entry = readZip(docx).find((e) => e.name === 'word/document.xml');
  if (!entry) throw new Error('no word/document.xml in the docx');
  return entry.data.toString('utf8');
}

/** The text of document.xml: paragraphs and table cells on lines, page breaks as \f. */
export function docxText(xml: string): string {
  return xml
    .replace(/<w:br w:type="page"\/>/g, '\f')
    .replace(/<\/w:p>|<\/w:tc>/g, '\n')
    .replace(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<[^>]+>/g, (_m, t: string | undefined) => t ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export { readZip };
