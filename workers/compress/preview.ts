import { walkActiveContent, type ActiveContent } from '../active-content.js';
import type * as Mupdf from 'mupdf';
import { openPdf } from '../pdf.js';
import type { Level } from './types.js';
import { settingsFor } from './levels.js';
import { docStats } from './doc-stats.js';
import { scanImageUsage } from './image-usage.js';
import { encodeImage } from './image-encode.js';
import { mupdfCandidate } from './mupdf-engine.js';
import { ghostscriptAvailable } from './ghostscript.js';
import { qpdfAvailable } from './qpdf.js';
import type { MupdfModule } from './mupdf-util.js';
import { zlibLevelFor } from './lossless.js';
import { planTools } from './plan.js';
import { estimateLevel } from './preview-model.js';
import { buildReference, render, samplePages } from './validate.js';
import { previewGhostscript } from './preview-gs.js';
import { scanImages, splitAtLevels, type ScanImage } from './scan-pages.js';
import { layerBytes } from './mrc.js';

export interface PreviewPayload {
  input: string;
  maxPages: number;
  /** The quality the job will be asked for (default 80), so the sample is encoded the same way. */
  imageQuality?: number;
}

export interface LevelEstimate {
  /** Estimated output size in bytes (never above the input: the engine guarantees that). */
  size: number;
  /** Estimated percent saved. */
  ratio: number;
  /** Rough wall time of the job in seconds, from the sample's own timings. */
  seconds: number;
  /**
   * What the job makes of the sampled scan pages (`scans.sampled_pages`) at this level: one
   * 1-bit image, a text mask over a small background, or a picture left to the JPEG path (at
   * `low` only 1-bit scans are bilevel). Over all pages when every scan page was sampled, these
   * are the job's `pages_bilevel` and `pages_mrc`.
   */
  scan_pages: { bilevel: number; mrc: number; picture: number };
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
  /**
   * Pages the job takes for page scans (an image over half the page, 8-bit or 1-bit), and
   * those whose scan the preview decided as the job does (every 1-bit one; up to 3 others, fewer
   * when large, none over 24 megapixels: those are estimated as other images are).
   */
  scans: { pages: number; sampled_pages: number };
  /** Scripts, external actions, attachments, forms: what sanitize=true would remove. */
  active_content: ActiveContent;
}

const SAMPLE_IMAGES = 4;
/**
 * Page scans split for the estimate, evenly spread; fewer when they are large, as the split
 * takes ~0.7 s a megapixel on a colour scan (8.4 MP, a 300-ppi letter page: ~6 s): at most
 * 24 MP of scans. A scan over that is not split (a 50-MP one, at three levels, took the preview
 * near its 60 s limit): when no scan is small enough, the scans are sampled as other images
 * are, re-encoded by the JPEG path, an estimate above what the job's split makes of them and
 * of less time (a plain 24-MP gray page: 3.5× the job's size, 0.44× its time).
 */
const SAMPLE_SCANS = 3;
const SCAN_SAMPLE_PIXELS = 24e6;
const TEXT_PAGES = 12;
const FULL_TEXT_PAGES = 300;

/**
 * Analyses a PDF and estimates each level from what the job itself would decide (issue #17:
 * the job decides from the document, so the preview can use the same decision): the same
 * candidate plan (plan.ts), the job's own lossless candidate built for real (its size and
 * time), and up to four images (the two largest plus two spread over the rest) re-encoded
 * exactly as the job does at each lossy level, their saving extrapolated to all image bytes;
 * times add up every step the job runs in its slot (preview-model.ts).
 */
export async function runPreview(p: PreviewPayload): Promise<PreviewResult> {
  const opened = performance.now();
  const { mupdf, doc, size, pages } = await openPdf(p.input, { maxPages: p.maxPages });
  const openMs = performance.now() - opened;
  try {
    const activeContent = walkActiveContent(doc, false);
    const stats = docStats(doc);
    const zlib = zlibLevelFor(doc);
    const tools = { gs: ghostscriptAvailable(), qpdf: qpdfAvailable() };
    const usage = scanImageUsage(mupdf, doc, Array.from({ length: pages }, (_, i) => i));
    // Page scans as the job finds them (scan-pages.ts): 8-bit ones are split, not re-encoded
    // as JPEG, so they are sampled apart from the other images.
    const scans = scanImages(doc, usage, new Set());
    const scanSample = pickScans(doc, scans.filter((x) => !x.oneBit));
    // With none of them split here, the scans are sampled with the other images.
    const splittable = scanSample.length > 0 ? scans.filter((x) => !x.oneBit) : [];
    const scanNums = new Set(splittable.map((x) => x.num));
    const sample = pickSample(doc, [...usage.uses.keys()].filter((n) => !scanNums.has(n)));
    const smasks = new Set([...usage.uses.keys()].map((n) => doc.newIndirect(n).get('SMask')).filter((m) => m.isIndirect()).map((m) => m.asIndirect()));
    const sampleBytes = sample.reduce((a, s) => a + s.bytes, 0);
    const scanBytes = splittable.reduce((a, x) => a + streamLength(doc, x.num), 0);
    const scanPixels = (list: ScanImage[]) => list.reduce((a, x) => a + pixelsOf(doc, x.num), 0);
    const text = sampleText(mupdf, doc, pages);
    const levels = ['medium', 'high', 'maximum'] as const;
    const after = { medium: 0, high: 0, maximum: 0 };
    const spent = { medium: 0, high: 0, maximum: 0 };
    for (const { num, bytes: before } of sample) {
      for (const level of levels) {
        const t1 = performance.now();
        const out = await encodeImage(mupdf, doc, doc.newIndirect(num), usage.uses.get(num)!, settingsFor({ compressionLevel: level, imageQuality: p.imageQuality ?? 80 }), smasks.has(num) ? 'smask' : 'image');
        after[level] += typeof out === 'string' ? before : out.data.length;
        spent[level] += performance.now() - t1;
        mupdf.emptyStore();
      }
    }
    const split = await sampleScans(mupdf, doc, scanSample, p.imageQuality ?? 80);
    const t0 = performance.now();
    const low = await mupdfCandidate(mupdf, { source: p.input }, pages, settingsFor({ compressionLevel: 'low', imageQuality: 80 }), { progress() {} }, [0, 1]);
    const lowMs = performance.now() - t0;
    // The job's check opens its candidate as a reader would; and the lossless pass has already
    // re-deflated small images, so savings apply to the image bytes the candidate holds.
    const t3 = performance.now();
    const lowDoc = mupdf.Document.openDocument(low.bytes, 'application/pdf').asPDF()!;
    lowDoc.countPages();
    const lowImageBytes = docStats(lowDoc).imageBytes;
    lowDoc.destroy();
    const reopenMs = performance.now() - t3;
    // The job reads every page's text for its check; up to FULL_TEXT_PAGES pages the preview
    // does so too, timed (the sample's per-page time missed the job's by up to 2×), which also
    // lets it check a Ghostscript candidate's text as the job will.
    const t2 = performance.now();
    const ref = pages <= FULL_TEXT_PAGES ? buildReference(mupdf, doc) : undefined;
    const textMsPerPage = ref ? (performance.now() - t2) / pages : text.textMs;
    const gsPlanned = planTools(stats, size, zlib, settingsFor({ compressionLevel: 'medium', imageQuality: 80 }), tools).ghostscript;
    const gs = gsPlanned ? await previewGhostscript(mupdf, doc, p.input, pages, ref) : undefined;
    const measured = { pages, lowSize: low.bytes.length, lowMs, textMsPerPage, renderMsPerPage: text.renderMs, sampleRenderMs: text.sampleRenderMs, imagePages: usage.coverage.filter((c) => c > 0).length, openMs: openMs + reopenMs, lowImageBytes, ...(gs ? { gs } : {}) };
    // Images but the split scans: their sampled saving over their bytes in the lossless
    // candidate. Split scans: the sample's saving over all of them (the lossless pass leaves
    // images over a megapixel, as every scan is, as they are), time per pixel (the scans left
    // out for their size are the larger ones).
    const imageModel = (level: (typeof levels)[number]) => {
      const otherRatio = sampleBytes > 0 ? after[level] / sampleBytes : 1;
      const otherMs = sampleBytes > 0 ? (spent[level] / sampleBytes) * Math.max(0, stats.imageBytes - scanBytes) : 0;
      if (scanBytes === 0 || split.before === 0 || lowImageBytes === 0) return { imageRatio: otherRatio, imageMs: otherMs };
      const scanLow = Math.min(scanBytes, lowImageBytes);
      const saved = scanLow * (1 - split.after[level] / split.before) + (lowImageBytes - scanLow) * (1 - otherRatio);
      return { imageRatio: 1 - saved / lowImageBytes, imageMs: otherMs + (split.ms[level] / Math.max(1, scanPixels(scanSample))) * scanPixels(splittable) };
    };
    const scanPages = scanPageCounts(scans, scanSample, split.outcomes);
    const estimates = {} as Record<Level, LevelEstimate>;
    for (const level of ['low', ...levels] as const) {
      const s = settingsFor({ compressionLevel: level, imageQuality: p.imageQuality ?? 80 });
      const plan = planTools(stats, size, zlib, s, tools);
      const model = level === 'low' ? { imageRatio: 1, imageMs: 0 } : imageModel(level);
      const e = estimateLevel(measured, plan, s.lossy, model, size);
      estimates[level] = { ...estimate(e.size, size, e.ms / 1000), scan_pages: scanPages.counts[level] };
    }
    // A stronger level never comes out larger (levels are monotone by construction).
    for (const [weak, strong] of [['low', 'medium'], ['medium', 'high'], ['high', 'maximum']] as const) {
      if (estimates[strong].size > estimates[weak].size) estimates[strong] = { ...estimates[weak], seconds: estimates[strong].seconds, scan_pages: estimates[strong].scan_pages };
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
      sample: { images: sample.length + scanSample.length, image_bytes: sampleBytes + split.before, text_pages: text.pages },
      engines: { mupdf: true, ghostscript: tools.gs, qpdf: tools.qpdf },
      scans: { pages: scanPages.all, sampled_pages: scanPages.sampled },
      active_content: activeContent,
    };
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

type LossyLevel = Exclude<Level, 'low'>;
const LOSSY: LossyLevel[] = ['medium', 'high', 'maximum'];

/** Up to n items evenly spread over the list (all of them when there are no more). */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor(((i + 0.5) * list.length) / n)]!);
}

function streamLength(doc: Mupdf.PDFDocument, num: number): number {
  const len = doc.newIndirect(num).get('Length');
  return len.isNumber() ? len.asNumber() : 0;
}

/**
 * The sampled scans decided at every lossy level as the job decides them (splitAtLevels: the
 * job's splitOne at each level, sharing what the levels have in common): the bytes of the
 * layers it writes, or for a picture (or a split that failed its check) the image re-encoded as
 * the image pass then does. Times: what the job's split takes at each level alone (the `ms`
 * splitAtLevels gives each: not the other levels' backgrounds and checks), plus the image pass.
 */
async function sampleScans(mupdf: MupdfModule, doc: Mupdf.PDFDocument, sample: ScanImage[], quality: number) {
  const after = { medium: 0, high: 0, maximum: 0 };
  const ms = { medium: 0, high: 0, maximum: 0 };
  const outcomes = { medium: new Map<number, string>(), high: new Map<number, string>(), maximum: new Map<number, string>() };
  let before = 0;
  const settings = LOSSY.map((level) => settingsFor({ compressionLevel: level, imageQuality: quality }));
  for (const { num, use } of sample) {
    const ref = doc.newIndirect(num);
    const raw = streamLength(doc, num);
    before += raw;
    const splits = await splitAtLevels(mupdf, doc, ref, num, use, settings);
    mupdf.emptyStore();
    for (const [i, level] of LOSSY.entries()) {
      const split = splits[i]!;
      const t1 = performance.now();
      let bytes = raw;
      if (split.layers) bytes = layerBytes(split.layers);
      else {
        const out = await encodeImage(mupdf, doc, ref, use, settings[i]!, 'image');
        if (typeof out !== 'string') bytes = out.data.length;
        mupdf.emptyStore();
      }
      after[level] += bytes;
      ms[level] += (split.ms ?? 0) + performance.now() - t1;
      outcomes[level].set(num, split.outcome);
    }
  }
  return { before, after, ms, outcomes };
}

function pixelsOf(doc: Mupdf.PDFDocument, num: number): number {
  const ref = doc.newIndirect(num);
  const [w, h] = [ref.get('Width'), ref.get('Height')].map((v) => (v.isNumber() ? v.asNumber() : 0));
  return w! * h!;
}

/**
 * Scans to split: up to SAMPLE_SCANS spread over those of at most SCAN_SAMPLE_PIXELS, fewer
 * when they are large (SCAN_SAMPLE_PIXELS of them together), at least one when any is that small.
 */
function pickScans(doc: Mupdf.PDFDocument, scans: ScanImage[]): ScanImage[] {
  const small = scans.map((x) => ({ x, pixels: pixelsOf(doc, x.num) })).filter((s) => s.pixels <= SCAN_SAMPLE_PIXELS);
  if (small.length === 0) return [];
  const mean = small.reduce((a, s) => a + s.pixels, 0) / small.length;
  let total = 0;
  return spread(small, Math.max(1, Math.min(SAMPLE_SCANS, Math.floor(SCAN_SAMPLE_PIXELS / Math.max(1, mean))))).filter((s) => (total += s.pixels) <= SCAN_SAMPLE_PIXELS).map((s) => s.x);
}

/** Pages counted as the job counts them (pages_bilevel, pages_mrc): of the sampled scans' pages. */
function scanPageCounts(scans: ScanImage[], sample: ScanImage[], outcomes: Record<LossyLevel, Map<number, string>>): { all: number; sampled: number; counts: Record<Level, { bilevel: number; mrc: number; picture: number }> } {
  const all = new Set(scans.flatMap((x) => x.pages));
  const oneBit = scans.filter((x) => x.oneBit);
  const sampled = new Set([...oneBit, ...sample].flatMap((x) => x.pages));
  const count = (level: Level) => {
    const bilevel = new Set(oneBit.flatMap((x) => x.pages));
    const mrc = new Set<number>();
    if (level !== 'low') {
      for (const x of sample) {
        const outcome = outcomes[level].get(x.num);
        if (outcome === 'bilevel' || outcome === 'mrc') for (const p of x.pages) (outcome === 'bilevel' ? bilevel : mrc).add(p);
      }
    }
    for (const p of mrc) bilevel.delete(p);
    return { bilevel: bilevel.size, mrc: mrc.size, picture: sampled.size - bilevel.size - mrc.size };
  };
  return { all: all.size, sampled: sampled.size, counts: { low: count('low'), medium: count('medium'), high: count('high'), maximum: count('maximum') } };
}

function estimate(size: number, original: number, seconds: number): Omit<LevelEstimate, 'scan_pages'> {
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

/** Text of up to 12 evenly spread pages, with the time a page's text and a page's check take. */
function sampleText(mupdf: MupdfModule, doc: Mupdf.PDFDocument, pages: number): { pages: number; pagesWithText: number; avgChars: number; textMs: number; renderMs: number; sampleRenderMs: number } {
  const picks = [...new Set(Array.from({ length: Math.min(TEXT_PAGES, pages) }, (_, i) => Math.floor((i * pages) / Math.min(TEXT_PAGES, pages))))];
  let chars = 0;
  let withText = 0;
  const read = (i: number) => {
    const page = doc.loadPage(i);
    const st = page.toStructuredText('preserve-whitespace');
    const n = st.asText().replace(/\s+/g, '').length;
    st.destroy();
    page.destroy();
    return n;
  };
  for (const i of picks) {
    const n = read(i);
    chars += n;
    if (n > 0) withText++;
  }
  // Timed on a second reading: the first loads each font, which the job's pass through every
  // page does once per font, not once per sampled page (nettle.pdf: 2.8× the job's time).
  const t0 = performance.now();
  for (const i of picks) read(i);
  const textMs = (performance.now() - t0) / picks.length;
  mupdf.emptyStore(); // the job renders with no image decoded yet
  const t1 = performance.now();
  for (const i of picks.slice(0, 4)) tryRender(mupdf, doc, i);
  const renderMs = (performance.now() - t1) / Math.min(4, picks.length);
  mupdf.emptyStore();
  const t2 = performance.now();
  for (const i of samplePages(pages)) tryRender(mupdf, doc, i);
  const sampleRenderMs = performance.now() - t2;
  return { pages: picks.length, pagesWithText: withText, avgChars: picks.length ? chars / picks.length : 0, textMs, renderMs, sampleRenderMs };
}

/** Renders for timing only: a page MuPDF refuses to draw (9,000,000 pt wide) is the job's to report. */
function tryRender(mupdf: MupdfModule, doc: Mupdf.PDFDocument, i: number): void {
  try {
    render(mupdf, doc, i);
  } catch {
    // not timed
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

