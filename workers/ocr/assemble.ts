import { readFile, stat, writeFile } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import { loadMupdf } from '../pdf.js';
import { TaskError } from '../task.js';
import { addGlyphlessFont } from './glyphless-font.js';
import { attachTextLayer, newTextLayerContext } from './text-layer.js';
import { textLayerPage } from './text-layer-words.js';
import type { OcrOutputFormat, OcrPageResult } from './types.js';
import { toJsonOutput } from './json-output.js';

export interface AssemblePayload {
  source: string;
  /** The source is a PDF this job built from an image upload (no bytes of the user's PDF to keep). */
  builtFromImages: boolean;
  output: string;
  format: OcrOutputFormat;
  /** 1-based pages that go into text/json output, in order. */
  selected: number[];
  results: OcrPageResult[];
  meta: { engine: string; language: string };
}

export interface AssembleResult {
  outputSize: number;
  textLayerBytes: number;
  incremental: boolean;
}

/**
 * Two ways to save, the smaller wins (both keep every image stream's bytes as they are):
 * - an incremental update appends the new objects (font, text streams, the changed page
 *   dictionaries) after the original bytes, which stay exactly as they were. A signed PDF
 *   is only ever saved this way, so its signed revision stays verifiable. MuPDF cannot
 *   append to a file it had to repair.
 * - a full rewrite with object streams packs the dictionaries (the original's too): on
 *   scanner PDFs it measured ~0.5 KB per page smaller than the update, which is what keeps
 *   our output at or under OCRmyPDF's.
 */
function savePdf(doc: Mupdf.PDFDocument, builtFromImages: boolean): { bytes: Uint8Array; incremental: boolean } {
  let incremental: Uint8Array | undefined;
  if (!builtFromImages && !doc.wasRepaired()) {
    try {
      incremental = doc.saveToBuffer('incremental').asUint8Array();
    } catch {
      // fall through to a full rewrite
    }
  }
  const signed = (doc.getTrailer().get('Root', 'AcroForm', 'SigFlags').valueOf() as number | null) ?? 0;
  if (incremental && signed > 0) return { bytes: incremental, incremental: true };
  const full = doc.saveToBuffer('garbage=compact,compress,objstms').asUint8Array();
  return incremental && incremental.length <= full.length ? { bytes: incremental, incremental: true } : { bytes: full, incremental: false };
}

export async function assemble(p: AssemblePayload): Promise<AssembleResult> {
  const mupdf = await loadMupdf();
  const byPage = new Map(p.results.map((r) => [r.page, r]));
  let doc: Mupdf.PDFDocument;
  try {
    doc = new mupdf.PDFDocument(await readFile(p.source));
  } catch {
    throw new TaskError('INVALID_PDF', 'The document could not be opened to write the OCR result.');
  }
  try {
    let textLayerBytes = 0;
    if (p.format === 'searchable_pdf') {
      const ctx = newTextLayerContext(mupdf, doc, addGlyphlessFont(doc));
      for (const r of p.results) {
        const page = doc.loadPage(r.page - 1);
        try {
          textLayerBytes += attachTextLayer(ctx, page, r);
        } finally {
          page.destroy();
        }
      }
      const { bytes, incremental } = savePdf(doc, p.builtFromImages);
      await writeFile(p.output, bytes);
      return { outputSize: bytes.length, textLayerBytes, incremental };
    }
    // text / json: OCR results, and the existing text of pages that were skipped for having it.
    const pages = p.selected.map((n) => {
      const found = byPage.get(n);
      if (found) return { result: found, source: 'ocr' as const };
      const page = doc.loadPage(n - 1);
      try {
        return { result: textLayerPage(page, n), source: 'text_layer' as const };
      } finally {
        page.destroy();
      }
    });
    const body =
      p.format === 'text'
        ? pages.map((pg) => `${pg.result.text}\n\f`).join('')
        : JSON.stringify(toJsonOutput(pages, p.meta));
    await writeFile(p.output, body, 'utf8');
    return { outputSize: (await stat(p.output)).size, textLayerBytes: 0, incremental: false };
  } finally {
    doc.destroy();
  }
}
