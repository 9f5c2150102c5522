import type { Layers } from './mrc.js';

/** The task's contract with the main thread (src/handlers.ts sends exactly this). */
export type Level = 'low' | 'medium' | 'high' | 'maximum';

export interface CompressOptions {
  compressionLevel: Level;
  /** JPEG quality (10–100) of re-encoded images; unused on `low`. */
  imageQuality: number;
  /** Images (MuPDF) or the whole page (Ghostscript) turned to gray. */
  grayscale?: boolean;
  /** Document info, XMP metadata and editor private data removed. */
  removeMetadata?: boolean;
  /** Try stronger settings until the output is at most this many MB (10^6 bytes). */
  targetSizeMB?: number;
}

export interface CompressPayload {
  input: string;
  output: string;
  /** Scratch folder of the job, for external tools' files. */
  workDir: string;
  maxPages: number;
  options: CompressOptions;
  /**
   * The page scans split ahead, on every thread, by compressScans tasks given this very input
   * and options (one share each): written as they are instead of being split again here.
   */
  scanSplits?: ScanSplitResult[];
  /**
   * The same, computed on another file holding the same scans (the OCR job's source, split
   * while its pages are read): each is taken for the scan whose content key matches.
   */
  scanSplitsByContent?: ScanSplitResult[];
}

/** compressScans: share `shard` of `count` of the scans the compress task would split. */
export interface CompressScansPayload {
  input: string;
  maxPages: number;
  options: CompressOptions;
  shard: number;
  count: number;
  /**
   * For another file holding the same scans (scanSplitsByContent): matched by content key, so
   * the input is only opened and its image uses found, not cleaned up and recompressed first.
   */
  byContent?: boolean;
}

export type EngineName = 'mupdf' | 'ghostscript' | 'qpdf' | 'none';

export interface CandidateReport {
  engine: Exclude<EngineName, 'none'>;
  /** Settings this candidate used, e.g. "medium 150ppi q80". */
  settings: string;
  /** Output size in bytes, or null when the engine failed to produce a file. */
  size: number | null;
  /** Build time (for external tools: until their output was collected) plus validation time. */
  ms: number;
  /**
   * True: passed validation. False: failed (see reason). Null: not validated, because a
   * smaller candidate passed first (candidates are checked smallest first).
   */
  valid: boolean | null;
  reason?: string;
}

export interface CompressResult {
  original_size: number;
  compressed_size: number;
  /** Percent saved, 0–100, two decimals. */
  compression_ratio: number;
  engine: EngineName;
  pages: number;
  candidates: CandidateReport[];
  images: { found: number; recompressed: number };
  /**
   * Pages of the output that are a 1-bit scan (JBIG2 or CCITT G4), and pages whose scan was split into
   * a 1-bit text mask over a small background image (mixed raster content). 0 when the winner
   * is another tool's output or the input itself.
   */
  pages_bilevel: number;
  pages_mrc: number;
  /** Present when targetSizeMB was asked for. */
  target_met?: boolean;
  note?: string;
}

/**
 * One scan's split as splitOne decides it, without writing: what a pool task computes for a
 * share of the scans (workers/compress-scans.ts) so the split runs on every thread, and the
 * compress task then writes. `layers` is set for bilevel and mrc, checked (checkLayers) already.
 */
export interface ScanSplitResult {
  num: number;
  outcome: 'bilevel' | 'mrc' | 'picture' | 'rejected';
  layers?: Layers;
  /** Whether the layers keep the image's own /ColorSpace (the source was not decoded to gray or RGB). */
  ownColorSpace?: boolean;
  /** What the split depends on (splitKey): matches the same scan in another file. */
  key?: string;
  /** The time the split took at these settings alone, in ms (splitAtLevels: for the preview). */
  ms?: number;
}
