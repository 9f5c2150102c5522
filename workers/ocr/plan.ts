import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PageRange } from '../../src/schemas/pages.js';
import { loadMupdf, openPdf, selectPages } from '../pdf.js';
import { buildImagePdf } from './image-pdf.js';
import { cappedDpi } from './render.js';
import { removeInvisibleText } from './invisible-text.js';
import type { OcrInputKind, OcrMode, OcrPlan, PlannedPage } from './types.js';

export interface PlanPayload {
  input: string;
  kind: OcrInputKind;
  workDir: string;
  maxPages: number;
  /** Render resolution for PDF pages. */
  dpi: number;
  pages?: PageRange[];
  skipText: boolean;
  /** Wins over skipText: skip = skipText true, all = skipText false (OCR on top of text), redo, force. */
  mode?: OcrMode;
  langs: string[];
}

/** A page has a text layer when MuPDF extracts any non-blank text from it (invisible OCR text counts). */
export function pageHasText(page: { toStructuredText(o: string): { asText(): string; destroy(): void } }): boolean {
  const stext = page.toStructuredText('');
  try {
    return /\S/.test(stext.asText());
  } finally {
    stext.destroy();
  }
}

/**
 * First step of an OCR job: image uploads become a PDF (workDir/source.pdf), then every page
 * is looked at once: selected or not, has text or not, and the dpi it will be rendered at.
 */
export async function planOcr(p: PlanPayload): Promise<OcrPlan & { imageDpiKnown?: boolean[] }> {
  let source = p.input;
  let imagePages: { dpi: number; dpiKnown: boolean }[] | undefined;
  if (p.kind !== 'pdf') {
    const mupdf = await loadMupdf();
    const built = await buildImagePdf(mupdf, await readFile(p.input), p.kind, { maxPages: p.maxPages, langs: p.langs });
    source = path.join(p.workDir, 'source.pdf');
    await writeFile(source, built.pdf);
    imagePages = built.pages;
  }
  const mode: OcrMode = p.mode ?? (p.skipText ? 'skip' : 'all');
  const { doc, pages: pageCount } = await openPdf(source, { maxPages: p.maxPages });
  try {
    let invisibleRemoved: number[] | undefined;
    if (mode === 'redo' && !imagePages) {
      // The old OCR layers go first, in a copy the rest of the job reads (the upload stays as it was).
      const chosen = new Set(selectPages(p.pages, pageCount));
      const seen = new Set<number>();
      invisibleRemoved = [];
      for (let index = 0; index < pageCount; index++) {
        if (chosen.has(index) && removeInvisibleText(doc, index, seen) > 0) invisibleRemoved.push(index + 1);
      }
      if (invisibleRemoved.length) {
        source = path.join(p.workDir, 'source-redo.pdf');
        await writeFile(source, doc.saveToBuffer(doc.wasRepaired() ? 'compress' : 'incremental').asUint8Array());
      }
    }
    const selected = selectPages(p.pages, pageCount);
    const chosen = new Set(selected);
    const pages: PlannedPage[] = [];
    const capped: number[] = [];
    for (let index = 0; index < pageCount; index++) {
      const page = doc.loadPage(index);
      try {
        const [x0, y0, x1, y1] = page.getBounds();
        const wanted = imagePages?.[index]?.dpi ?? p.dpi;
        const dpi = cappedDpi(x1 - x0, y1 - y0, wanted);
        if (dpi < wanted && chosen.has(index)) capped.push(index + 1);
        const hasText = !imagePages && chosen.has(index) ? pageHasText(page) : false;
        pages.push({
          index,
          hasText,
          ocr: chosen.has(index) && !(hasText && mode === 'skip'),
          dpi,
          widthPx: Math.round(((x1 - x0) * dpi) / 72),
          heightPx: Math.round(((y1 - y0) * dpi) / 72),
        });
      } finally {
        page.destroy();
      }
    }
    return {
      source,
      pageCount,
      pages,
      selected: selected.map((i) => i + 1),
      capped,
      ...(invisibleRemoved ? { invisibleRemoved } : {}),
      ...(imagePages ? { imageDpiKnown: imagePages.map((i) => i.dpiKnown) } : {}),
    };
  } finally {
    doc.destroy();
  }
}
