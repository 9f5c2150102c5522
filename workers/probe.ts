import { rename, writeFile } from 'node:fs/promises';
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

/**
 * The submission check: the PDF opens in MuPDF, is not locked, is within MAX_PAGES, has every
 * page and no stream that decompresses past the budget (openPdf checks both). With
 * a password that opens a locked PDF, the stored upload is replaced by a decrypted copy
 * (through a temp name): the job then needs no password, so none is ever stored.
 */
export const probe = defineTask(async (p: ProbePayload): Promise<ProbeResult> => {
  const { doc, pages, unlocked } = await openPdf(p.path, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    if (unlocked) {
      const out = doc.saveToBuffer('encrypt=none') /* 'decrypt' is deprecated */;
      await writeFile(`${p.path}.decrypted`, out.asUint8Array());
      out.destroy();
      await rename(`${p.path}.decrypted`, p.path);
    }
    return { pages, repaired: doc.wasRepaired() };
  } finally {
    doc.destroy();
  }
});
