import type { PageRange } from '../src/schemas/pages.js';
import { openPdf, selectPages } from './pdf.js';
import { defineTask } from './task.js';

export interface ExtractTextPayload {
  input: string;
  maxPages: number;
  /** From parsePageSpec; undefined = every page. */
  pages?: PageRange[];
  password?: string;
}

export interface PageText {
  /** 1-based page number. */
  page: number;
  text: string;
  /** False for a page with no text layer (a scan, or a blank page). */
  hasText: boolean;
}

export interface ExtractTextResult {
  pageCount: number;
  pages: PageText[];
}

/**
 * Plain text per page, in MuPDF's reading order (blocks as laid out, lines joined, hyphenation
 * kept as printed). Shared by conversion (txt), AI (summaries of PDFs) and previews.
 */
export const extractText = defineTask(async (p: ExtractTextPayload, ctx): Promise<ExtractTextResult> => {
  const { doc, pages: pageCount } = await openPdf(p.input, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    const indexes = selectPages(p.pages, pageCount);
    const pages: PageText[] = [];
    for (const [n, index] of indexes.entries()) {
      const page = doc.loadPage(index);
      const stext = page.toStructuredText('preserve-whitespace');
      const text = stext.asText().replace(/[ \t]+\n/g, '\n').trimEnd();
      stext.destroy();
      page.destroy();
      pages.push({ page: index + 1, text, hasText: /\S/.test(text) });
      if (n % 10 === 9 || n === indexes.length - 1) ctx.progress(Math.round(((n + 1) / indexes.length) * 100), `page ${n + 1}/${indexes.length}`);
    }
    return { pageCount, pages };
  } finally {
    doc.destroy();
  }
});
