import { defineTask } from './task.js';
import { openPdf } from './pdf.js';

export interface ProbePayload {
  path: string;
  maxPages: number;
  password?: string;
}

export interface ProbeResult {
  pages: number;
  /** MuPDF had to rebuild a broken cross-reference table to open it. */
  repaired: boolean;
}

/** The submission check: the PDF opens in MuPDF, is not locked and is within MAX_PAGES. */
export const probe = defineTask(async (p: ProbePayload): Promise<ProbeResult> => {
  const { doc, pages } = await openPdf(p.path, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    return { pages, repaired: doc.wasRepaired() };
  } finally {
    doc.destroy();
  }
});
