import { writeFile } from 'node:fs/promises';
import type { PageRange } from '../../src/schemas/pages.js';
import { extractText } from '../extract-text.js';
import { TaskError } from '../task.js';

export interface TxtResult {
  pageCount: number;
  pages: number[];
  withoutText: number[];
}

/**
 * txt reuses the shared extractText task (MuPDF's reading order, the text AI and previews
 * see), run in this thread: pages joined by form feeds, as pdftotext does, so tools that
 * split on \f find the pages. extractText reads every page in one synchronous loop, so
 * its own progress messages could only arrive after it ends: the job shows a start and
 * an end stage instead (the whole pass is ~3 ms a page).
 */
export async function writeTxt(
  p: { input: string; maxPages: number; pages?: PageRange[]; password?: string },
  out: string,
  progress: (percent: number, stage: string) => void,
): Promise<TxtResult> {
  progress(1, 'extracting text');
  const outcome = await extractText({ input: p.input, maxPages: p.maxPages, ...(p.pages ? { pages: p.pages } : {}), ...(p.password ? { password: p.password } : {}) });
  if (!outcome.ok) throw new TaskError(outcome.error.code, outcome.error.message, outcome.error.retryable);
  const pages = outcome.value.pages;
  progress(95, 'writing txt');
  await writeFile(out, `${pages.map((pg) => pg.text).join('\n\f')}\n`);
  return { pageCount: outcome.value.pageCount, pages: pages.map((pg) => pg.page), withoutText: pages.filter((pg) => !pg.hasText).map((pg) => pg.page) };
}
