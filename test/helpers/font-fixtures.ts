import { existsSync } from 'node:fs';
import * as mupdf from 'mupdf';

/** URW's Type1 fonts, installed with Ghostscript (fonts-urw-base35). */
const URW = '/usr/share/fonts/type1/urw-base35';
const FACES = ['NimbusRoman-Regular', 'NimbusRoman-Bold', 'NimbusRoman-Italic', 'NimbusSans-Regular', 'NimbusSans-Bold', 'NimbusMonoPS-Regular'];

/**
 * A short text document whose bytes are mostly embedded Type1 font programs (as pdfTeX
 * reference cards are): six URW faces, two pages. Falls back to MuPDF's built-in fonts
 * (not Type1) where the URW files are missing.
 */
export function type1Pdf(): Buffer {
  const doc = new mupdf.PDFDocument();
  const fonts = FACES.map((face) => {
    const file = `${URW}/${face}.t1`;
    return doc.addSimpleFont(existsSync(file) ? new mupdf.Font(face, file) : new mupdf.Font('Times-Roman'));
  });
  for (let p = 0; p < 2; p++) {
    const res = doc.newDictionary();
    const dict = doc.newDictionary();
    fonts.forEach((f, i) => dict.put(`F${i}`, f));
    res.put('Font', dict);
    let content = '';
    for (let line = 0; line < 40; line++) {
      const f = (line + p) % fonts.length;
      content += `BT /F${f} 10 Tf 40 ${800 - line * 19} Td (Line ${line + 1} of page ${p + 1}: the quick brown fox jumps over the lazy dog 0123456789) Tj ET\n`;
    }
    doc.insertPage(-1, doc.addPage([0, 0, 595, 842], 0, res, content));
  }
  const buf = doc.saveToBuffer('compress');
  const out = Buffer.from(buf.asUint8Array());
  buf.destroy();
  doc.destroy();
  return out;
}
