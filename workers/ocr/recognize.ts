import { readFile } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import { loadMupdf } from '../pdf.js';
import { TaskError } from '../task.js';
import { recognizeNative } from './native-engine.js';
import { renderForOcr } from './render.js';
import { parseTsv } from './tsv.js';
import type { OcrEngineName, OcrPageResult } from './types.js';
import { recognizeWasm } from './wasm-engine.js';

export interface RecognizePayload {
  source: string;
  pages: { index: number; dpi: number; /** Pass dpi to the engine (false: let it estimate from the text). */ dpiHint: boolean }[];
  engine: OcrEngineName;
  langs: string[];
}

/**
 * 10 minutes for one page: a 50 Mpx page takes ~40 s natively; anything far past that is a
 * stuck process, killed rather than left to hold a thread.
 */
const PAGE_TIMEOUT_MS = 600_000;

/**
 * Renders and recognises a few pages of the source PDF (the handler gives each task a small
 * chunk so the document is opened once per chunk, not once per page). Progress is one
 * message per finished page.
 */
export async function recognizePages(p: RecognizePayload, progress: (done: number, stage: string) => void): Promise<OcrPageResult[]> {
  const mupdf = await loadMupdf();
  let doc: Mupdf.Document;
  try {
    doc = mupdf.Document.openDocument(await readFile(p.source), 'application/pdf');
  } catch {
    throw new TaskError('INVALID_PDF', 'The document could not be opened for OCR.');
  }
  const out: OcrPageResult[] = [];
  try {
    for (const [n, { index, dpi, dpiHint }] of p.pages.entries()) {
      const page = doc.loadPage(index);
      let rendered;
      try {
        rendered = renderForOcr(mupdf, page, dpi);
      } finally {
        page.destroy();
      }
      const hint = dpiHint ? dpi : 0;
      const tsv = p.engine === 'native' ? await recognizeNative(rendered.image, p.langs, hint, PAGE_TIMEOUT_MS) : await recognizeWasm(rendered.image, p.langs, hint);
      out.push(parseTsv(tsv, { page: index + 1, width: rendered.width, height: rendered.height, dpi }));
      progress(n + 1, `page ${index + 1}`);
    }
    return out;
  } finally {
    doc.destroy();
  }
}
