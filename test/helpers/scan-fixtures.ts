import { buildPdf, addImage, pixmapOf, scanPixels } from './image-fixtures.js';
import { grayIccProfile } from './stream-encoders.js';

/**
 * Issue #17's report rebuilt: 9 pages of text with a gray Flate scan on page 2 and a gray
 * JPEG scan with an ICCBased N=1 profile on page 7, both 2550×3300 at 300 ppi (8 MB).
 */
export function issuePdf(): Buffer {
  return buildPdf((doc) => Array.from({ length: 9 }, (_, p) => {
    const text = Array.from({ length: 30 }, (_, i) => `Page ${p + 1}, line ${i + 1}: a report with scanned appendices`);
    if (p === 1) return { text: ['Scan (Flate)'], draws: [{ ref: addImage(doc, { w: 2550, h: 3300, cs: 'gray', encoding: 'flate', scan: true, seed: 7 }), x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    if (p === 6) {
      const pix = pixmapOf('gray', 2550, 3300, scanPixels(2550, 3300, 8));
      const jpeg = pix.asJPEG(90, false);
      pix.destroy();
      const cs = doc.newArray();
      cs.push(doc.newName('ICCBased'));
      cs.push(doc.addStream(grayIccProfile(), { N: 1 }));
      const ref = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: 2550, Height: 3300, BitsPerComponent: 8, ColorSpace: cs, Filter: doc.newName('DCTDecode') });
      return { text: ['Scan (JPEG, ICC gray)'], draws: [{ ref, x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    }
    return { text, size: [612, 792] as [number, number] };
  }));
}
