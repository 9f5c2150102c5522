import { writeFile } from 'node:fs/promises';
import { walkActiveContent, type ActiveContent } from './active-content.js';
import { engineMessage, openPdf } from './pdf.js';
import { defineTask, TaskError } from './task.js';

export interface SanitizePayload {
  input: string;
  output: string;
  maxPages: number;
}

/**
 * `sanitize=true`: the PDF without its active content (scripts, launch/URI/submit/remote
 * actions, attached files, media, XFA), saved with the removed objects collected
 * (garbage=2), so an attachment's bytes are gone from the file, not merely unlinked. Returns
 * what was removed; compression or conversion then runs on the sanitised copy.
 */
export const sanitize = defineTask(async (p: SanitizePayload): Promise<ActiveContent> => {
  const { doc } = await openPdf(p.input, { maxPages: p.maxPages });
  try {
    const removed = walkActiveContent(doc, true);
    let out;
    try {
      out = doc.saveToBuffer('garbage=2,compress,objstms');
    } catch (err) {
      throw new TaskError('PROCESSING_FAILED', `The sanitised PDF could not be saved (${engineMessage(err)}).`);
    }
    await writeFile(p.output, out.asUint8Array());
    out.destroy();
    return removed;
  } finally {
    doc.destroy();
  }
});
