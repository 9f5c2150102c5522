import { walkActiveContent, type ActiveContent } from '../active-content.js';
import type * as Mupdf from 'mupdf';
import { openPdf } from '../pdf.js';
import type { Level } from './types.js';
import { settingsFor } from './levels.js';
import { docStats } from './doc-stats.js';
import { scanImageUsage } from './image-usage.js';
import { encodeImage } from './image-encode.js';
import { SAVE_OPTIONS } from './mupdf-engine.js';
import { repackXrefStream } from './xref-stream.js';
import { ghostscriptAvailable } from './ghostscript.js';
import { qpdfAvailable } from './qpdf.js';
import { takeBytes } from './mupdf-util.js';

export interface PreviewPayload {
  input: string;
  maxPages: number;
}

export interface LevelEstimate {
  /** Estimated output size in bytes (never above the input: the engine guarantees that). */
  size: number;
  /** Estimated percent saved. */
  ratio: number;
  /** Rough wall time of the job in seconds, from the sample's own timings. */
  seconds: number;
}

export interface PreviewResult {
  pages: number;
  file_size: number;
  has_text_layer: boolean;
  /** Mostly full-page images with little text. */
  is_scan: boolean;
  images: { count: number; bytes: number; share: number };
  fonts: { count: number; embedded: number };
  estimates: Record<Level, LevelEstimate>;
  /** How the estimate was made: images actually re-encoded, pages whose text was read. */
  sample: { images: number; image_bytes: number; text_pages: number };
  engines: { mupdf: true; ghostscript: boolean; qpdf: boolean };
  /** Scripts, external actions, attachments, forms: what sanitize=true would remove. */
  active_content: ActiveContent;
}

const SAMPLE_IMAGES = 4;
const TEXT_PAGES = 12;
/** Validation reads every page's text about twice at ~2–4 ms a page (measured on pdfTeX manuals). */
const MS_PER_PAGE = 6;

/**
 * Analyses a PDF and estimates each level's output from a real sample: the lossless size is
 * an actual structural save (fast: ~0.4 s for a 1,158-page manual), and up to four images
 * (the two largest plus two spread over the rest) are actually downsampled and re-encoded
 * at each lossy level; the bytes they save extrapolate to all image bytes.
 */
export async function runPreview(p: PreviewPayload): Promise<PreviewResult> {
  const { mupdf, doc, size, pages } = await openPdf(p.input, { maxPages: p.maxPages });
  try {
    const activeContent = walkActiveContent(doc, false);
    const stats = docStats(doc);
    const usage = scanImageUsage(mupdf, doc, Array.from({ length: pages }, (_, i) => i));
    const sample = pickSample(doc, [...usage.uses.keys()]);
    const sampleBytes = sample.reduce((a, s) => a + s.bytes, 0);
    const text = sampleText(doc, pages);
    // Image outer, level inner: MuPDF's store keeps the decoded image between levels.
    const levels = ['medium', 'high', 'maximum'] as const;
    const after = { medium: 0, high: 0, maximum: 0 };
    const spent = { medium: 0, high: 0, maximum: 0 };
    for (const { num, bytes: before } of sample) {
      for (const level of levels) {
        const t1 = performance.now();
        const out = await encodeImage(mupdf, doc, doc.newIndirect(num), usage.uses.get(num)!, settingsFor({ compressionLevel: level, imageQuality: 80 }), 'image');
        after[level] += typeof out === 'string' ? before : out.data.length;
        spent[level] += performance.now() - t1;
      }
      mupdf.emptyStore();
    }
    const ratios: Partial<Record<Level, { ratio: number; ms: number }>> = {};
    for (const level of levels) {
      ratios[level] = { ratio: sampleBytes > 0 ? after[level] / sampleBytes : 1, ms: sampleBytes > 0 ? (spent[level] / sampleBytes) * stats.imageBytes : 0 };
    }
    // Last: a garbage-collecting save renumbers the document's objects in place.
    const t0 = performance.now();
    const lowSize = Math.min(size, repackXrefStream(takeBytes(doc.saveToBuffer(SAVE_OPTIONS))).length);
    const baseMs = performance.now() - t0 + pages * MS_PER_PAGE;
    const estimates = { low: estimate(lowSize, size, baseMs / 1000) } as Record<Level, LevelEstimate>;
    for (const [level, r] of Object.entries(ratios) as [Level, { ratio: number; ms: number }][]) {
      estimates[level] = estimate(lowSize - stats.imageBytes * (1 - r.ratio), size, (baseMs + r.ms) / 1000);
    }
    const fullPage = usage.coverage.filter((c) => c >= 0.85).length;
    return {
      pages,
      file_size: size,
      has_text_layer: text.pagesWithText > 0,
      is_scan: fullPage / pages >= 0.6 && text.avgChars < 200,
      images: { count: stats.images, bytes: stats.imageBytes, share: round(stats.imageBytes / size, 3) },
      fonts: { count: stats.fonts, embedded: stats.embeddedFonts },
      estimates,
      sample: { images: sample.length, image_bytes: sampleBytes, text_pages: text.pages },
      engines: { mupdf: true, ghostscript: ghostscriptAvailable(), qpdf: qpdfAvailable() },
      active_content: activeContent,
    };
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

function estimate(size: number, original: number, seconds: number): LevelEstimate {
  const s = Math.max(0, Math.min(original, Math.round(size)));
  return { size: s, ratio: round(((original - s) / original) * 100, 2), seconds: round(Math.max(0.1, seconds), 1) };
}

/** The two largest drawn images and two spread over the rest, with their stream sizes. */
function pickSample(doc: Mupdf.PDFDocument, nums: number[]): { num: number; bytes: number }[] {
  const sized = nums.map((num) => {
    const len = doc.newIndirect(num).get('Length');
    return { num, bytes: len.isNumber() ? len.asNumber() : 0 };
  }).sort((a, b) => b.bytes - a.bytes);
  const rest = sized.slice(2);
  const spread = rest.length <= 2 ? rest : [0, 1].map((i) => rest[Math.floor(((i + 0.5) * rest.length) / 2)]!);
  return [...sized.slice(0, 2), ...spread].slice(0, SAMPLE_IMAGES);
}

function sampleText(doc: Mupdf.PDFDocument, pages: number): { pages: number; pagesWithText: number; avgChars: number } {
  const picks = [...new Set(Array.from({ length: Math.min(TEXT_PAGES, pages) }, (_, i) => Math.floor((i * pages) / Math.min(TEXT_PAGES, pages))))];
  let chars = 0;
  let withText = 0;
  for (const i of picks) {
    const page = doc.loadPage(i);
    const st = page.toStructuredText('preserve-whitespace');
    const n = st.asText().replace(/\s+/g, '').length;
    st.destroy();
    page.destroy();
    chars += n;
    if (n > 0) withText++;
  }
  return { pages: picks.length, pagesWithText: withText, avgChars: picks.length ? chars / picks.length : 0 };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

