import type * as Mupdf from 'mupdf';
import type { TaskContext } from '../task.js';
import type { Settings } from './levels.js';
import type { UsageScan } from './image-usage.js';
import { recompressImages } from './images.js';
import { dedupeStreams } from './dedupe.js';
import { dropThumbnails, recompressStreams, stripMetadata, zlibLevelFor } from './lossless.js';
import { repackXrefStream, stableId } from './xref-stream.js';
import { takeBytes, type MupdfModule } from './mupdf-util.js';
import { openFile } from '../pdf.js';
import { bitonalToG4 } from './bitonal.js';
import { scanImageUsage } from './image-usage.js';
import { splitScans, type ScanShare, type ScanSplitResult } from './scan-pages.js';

/**
 * garbage=2 (drop unused objects, renumber): garbage=4 is 20–90× slower on 1,000-page files
 * for ~1 % (dedupe.ts does the part of it that pays). Streams arrive deflated already
 * (lossless.ts); compress + compression-effort=100 (zlib level 9) packs what is left, the new
 * object streams above all; compress-fonts and -images extend it to those streams.
 */
export const SAVE_OPTIONS = 'garbage=2,compress,compress-fonts,compress-images,objstms,compression-effort=100';

export interface MupdfOutput {
  bytes: Uint8Array;
  images: { found: number; recompressed: number; rejected: number };
  /** Pages drawing an image that changed (0-based). */
  changedPages: Set<number>;
  /** Where images are drawn: reused by later attempts on the same input. */
  scan?: UsageScan;
  /** Pages (0-based) that are one 1-bit scan, and those split into mask and background. */
  scans: { bilevel: number[]; mrc: number[] };
}

export interface MupdfInput {
  /** A file path (read as needed, no copy in the heap) or a PDF in memory (another tool's output). */
  source: string | Uint8Array;
  /** Images left exactly as they are (those on a page whose rendering check failed). */
  keep?: Set<number>;
  scan?: UsageScan;
  /** For another tool's output: the original, whose Info, XMP and /ID it takes (adoptIdentity). */
  identityFrom?: Mupdf.PDFDocument;
  /** Scan splits computed ahead by compressScans tasks on this very input and settings. */
  scanSplits?: ScanSplitResult[];
  /** Scan splits computed on another file with these settings: taken where splitKey matches. */
  scanSplitsByContent?: ScanSplitResult[];
}

/** What the image passes start from: the document after clean-up, the lossless pass and G4. */
interface Prepared {
  level: number;
  keep: Set<number>;
  bitonal: Awaited<ReturnType<typeof bitonalToG4>>;
  usage: UsageScan | undefined;
}

/**
 * Structural clean-up, the lossless pass and 1-bit images to G4, then where images are drawn:
 * the same steps for the candidate and for the tasks that split a share of its scans, so
 * both see the very same image objects.
 */
async function prepare(mupdf: MupdfModule, doc: Mupdf.PDFDocument, input: MupdfInput, pages: number, s: Settings, onPage?: (done: number) => void): Promise<Prepared> {
  if (input.identityFrom) adoptIdentity(doc, input.identityFrom);
  const level = zlibLevelFor(doc);
  dedupeStreams(doc);
  if (s.removeMetadata) stripMetadata(doc);
  if (s.lossy) dropThumbnails(doc, pages);
  recompressStreams(mupdf, doc, level);
  const keep = input.keep ?? new Set<number>();
  // 1-bit images to G4 at every level: lossless, each checked bit for bit (bitonal.ts).
  const bitonal = await bitonalToG4(mupdf, doc, keep);
  let usage = input.scan;
  if (s.lossy || bitonal.found > 0) usage ??= scanImageUsage(mupdf, doc, Array.from({ length: pages }, (_, i) => i), onPage);
  return { level, keep, bitonal, usage };
}

/**
 * One share of the candidate's scan splits (every `count`-th scan from `shard`), computed
 * on the input opened and prepared exactly as mupdfCandidate prepares it: compressScans
 * tasks run these on all threads, and the compress task writes what they found instead of
 * splitting. `doc` is changed (prepared, not saved). `byContent`: for scanSplitsByContent.
 */
export async function shareOfScanSplits(mupdf: MupdfModule, doc: Mupdf.PDFDocument, pages: number, s: Settings, only: NonNullable<ScanShare['only']>, byContent = false): Promise<ScanSplitResult[]> {
  // By content, the split's inputs are in its key (splitKey): the clean-up passes, which leave
  // a scan's image object as it is (the lossless pass skips images over a megapixel, the size
  // a scan has at least), are not needed; what one changes has another key, and is split there.
  const { keep, usage } = byContent
    ? { keep: new Set<number>(), usage: s.lossy ? scanImageUsage(mupdf, doc, Array.from({ length: pages }, (_, i) => i)) : undefined }
    : await prepare(mupdf, doc, { source: '' }, pages, s);
  if (!usage) return [];
  return (await splitScans(mupdf, doc, usage, s, keep, undefined, { only })).splits ?? [];
}

/**
 * The in-process candidate: structural clean-up and the lossless pass first, exactly as `low`
 * does them, then the image pass, which keeps a rewrite only when it is smaller than what the
 * lossless pass left; then the images written as Flate are re-deflated the same way. So a
 * lossy level's every stream is at most its `low` size, and the image pass (image-encode.ts)
 * makes each stronger level's at most the weaker one's.
 */
export async function mupdfCandidate(mupdf: MupdfModule, input: MupdfInput, pages: number, s: Settings, ctx: TaskContext, span: [number, number]): Promise<MupdfOutput> {
  const doc = (typeof input.source === 'string' ? openFile(mupdf, input.source) : mupdf.Document.openDocument(input.source, 'application/pdf')).asPDF();
  if (!doc) throw new Error('not a PDF');
  try {
    const at = (f: number) => span[0] + (span[1] - span[0]) * f;
    const { level, keep, bitonal, usage } = await prepare(mupdf, doc, input, pages, s, (done) => {
      if (done % Math.max(1, Math.floor(pages / 10)) === 0) ctx.progress(at((0.15 * done) / pages), 'analysing');
    });
    let images = { found: 0, recompressed: 0, rejected: 0 };
    const changedPages = new Set<number>();
    const scans = { bilevel: [] as number[], mrc: [] as number[] };
    let replaced = new Set<number>();
    if (usage) {
      for (const num of bitonal.touched) for (const p of usage.pages.get(num) ?? []) changedPages.add(p);
      const share: ScanShare = {};
      if (input.scanSplits) share.precomputed = new Map(input.scanSplits.map((r) => [r.num, r]));
      if (input.scanSplitsByContent) share.byKey = new Map(input.scanSplitsByContent.flatMap((r) => (r.key !== undefined ? [[r.key, r] as const] : [])));
      const split = await splitScans(mupdf, doc, usage, s, keep, (done, total) => ctx.progress(at(0.15 + (0.25 * done) / Math.max(1, total)), `scans ${done + 1}/${total}`), share);
      replaced = split.replaced;
      for (const p of split.changedPages) changedPages.add(p);
      scans.bilevel = [...split.bilevelPages].filter((p) => !split.mrcPages.has(p)).sort((a, b) => a - b);
      scans.mrc = [...split.mrcPages].sort((a, b) => a - b);
      images.rejected += split.rejected;
    }
    if (s.lossy) {
      const pass = await recompressImages(mupdf, doc, pages, s, ctx, [at(0.4), at(0.85)], usage, new Set([...keep, ...replaced]));
      images = { found: pass.found, recompressed: pass.recompressed, rejected: pass.rejected + images.rejected };
      for (const p of pass.changedPages) changedPages.add(p);
      recompressStreams(mupdf, doc, level, pass.touched);
    }
    if (usage) {
      const drawn = (n: number) => usage!.uses.has(n);
      images.recompressed += [...replaced].filter(drawn).length + [...bitonal.touched].filter(drawn).length;
    }
    ctx.progress(span[0] + (span[1] - span[0]) * 0.85, 'saving');
    const bytes = stableId(repackXrefStream(takeBytes(doc.saveToBuffer(SAVE_OPTIONS))));
    return { bytes, images, changedPages, scans, ...(usage ? { scan: usage } : {}) };
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

/**
 * Another tool's output made as reproducible as ours: Ghostscript stamps the run's date, a
 * fresh /ID and an XMP packet with both into every file, which would make two runs on the
 * same input differ. The input's own Info, XMP and /ID are carried over instead (or none).
 */
export function adoptIdentity(out: Mupdf.PDFDocument, original: Mupdf.PDFDocument): void {
  // Grafts first, the trailer after: the first new object starts a new xref section with a
  // copy of the trailer, and a trailer handle taken before would then change the old copy.
  const from = original.getTrailer();
  const grafted = (['Info', 'ID'] as const).map((key) => [key, from.get(key).isNull() ? undefined : out.graftObject(from.get(key))] as const);
  const xmp = from.get('Root').get('Metadata');
  const xmpCopy = xmp.isNull() ? undefined : out.graftObject(xmp);
  const trailer = out.getTrailer();
  for (const [key, v] of grafted) {
    if (v) trailer.put(key, v);
    else trailer.delete(key);
  }
  const root = trailer.get('Root');
  if (xmpCopy) root.put('Metadata', xmpCopy);
  else root.delete('Metadata');
}
