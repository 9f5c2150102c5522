import { readFile } from 'node:fs/promises';
import { loadMupdf } from '../pdf.js';

/**
 * optimize's check: the compressed searchable PDF must hold the very text of the one it was
 * made from, page by page (MuPDF's extraction, whitespace runs counted as one space) and the
 * same page count. Anything else and the OCR job keeps the unoptimized file.
 */
export interface SameTextPayload {
  a: string;
  b: string;
}

export async function sameText(p: SameTextPayload): Promise<{ same: boolean; reason?: string }> {
  const mupdf = await loadMupdf();
  const a = new mupdf.PDFDocument(await readFile(p.a));
  const b = new mupdf.PDFDocument(await readFile(p.b));
  try {
    if (a.countPages() !== b.countPages()) return { same: false, reason: `page count ${a.countPages()} → ${b.countPages()}` };
    for (let i = 0; i < a.countPages(); i++) {
      const text = (d: typeof a) => {
        const page = d.loadPage(i);
        const st = page.toStructuredText('');
        try {
          return st.asText().replace(/\s+/g, ' ').trim();
        } finally {
          st.destroy();
          page.destroy();
        }
      };
      if (text(a) !== text(b)) return { same: false, reason: `page ${i + 1}: text differs after compression` };
    }
    return { same: true };
  } finally {
    a.destroy();
    b.destroy();
  }
}
