import t from 'tap';
import * as mupdf from 'mupdf';
import { orientationHint } from '../../workers/ocr/orientation-hint.js';
import { imagePdf, LETTER_LINES, LETTER_SIZE, PAGE_LINES, PAGE_SIZE, scanPdf, turnedScan, typesetPdf, type Scan } from '../helpers/ocr-fixtures.js';

/**
 * The cheap orientation look (workers/ocr/orientation-hint.ts) on generated scans rendered
 * as recognize.ts renders them (gray, 150 dpi): upright and skewed pages are not flagged
 * (they would pay an OSD run for nothing), pages on their side or upside down are.
 */
function hint(scan: Scan) {
  const doc = mupdf.Document.openDocument(imagePdf([scan]), 'application/pdf');
  const page = doc.loadPage(0);
  const pix = page.toPixmap(mupdf.Matrix.scale(150 / 72, 150 / 72), mupdf.ColorSpace.DeviceGray, false, true);
  try {
    return orientationHint(pix.getPixels(), pix.getWidth(), pix.getHeight());
  } finally {
    pix.destroy();
    page.destroy();
    doc.destroy();
  }
}

const A4_LINES = Array.from({ length: 20 }, (_, i) => `${i % 6 === 0 ? `${i + 1}. ` : ''}${['Quarterly revenue report for the', 'The delivery schedule of the contract', 'Payment within thirty days of the invoice', 'General information on the annual budget'][i % 4]} ${'with more words on a line '.slice(0, 5 + ((i * 7) % 20))}.`);

t.test('upright and skewed pages are not flagged; sideways and upside-down ones are', async (t) => {
  const pages: [string, Scan][] = [
    ['letter', scanPdf(await typesetPdf([LETTER_LINES], LETTER_SIZE))[0]!],
    ['strip', scanPdf(await typesetPdf(PAGE_LINES, PAGE_SIZE))[0]!],
    ['a4', scanPdf(await typesetPdf([A4_LINES], [595, 842]))[0]!],
  ];
  for (const [name, scan] of pages) {
    t.notOk(hint(scan).turned, `${name} upright`);
    for (const deg of [90, 180, 270]) {
      const h = hint(await turnedScan(scan, deg));
      t.ok(h.turned, `${name} turned ${deg}°: ${JSON.stringify(h)}`);
    }
    for (const deg of [-3, 2, 5]) {
      const h = hint(await turnedScan(scan, deg));
      t.notOk(h.turned, `${name} skewed ${deg}°: ${JSON.stringify(h)}`);
    }
  }
});

t.test('a blank page and a page of one word say nothing', async (t) => {
  t.notOk(orientationHint(new Uint8Array(100 * 100).fill(255), 100, 100).turned, 'blank');
  t.notOk(hint(scanPdf(await typesetPdf([['Hello']], [300, 100]))[0]!).turned, 'one word');
});
