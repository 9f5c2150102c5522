import type * as Mupdf from 'mupdf';
import { nameOf } from './mupdf-util.js';

/** Where a PDF's bytes are, from one pass over its objects' dictionaries (no stream is read). */
export interface DocStats {
  objects: number;
  /** Image XObjects (soft masks included) and the bytes of their streams. */
  images: number;
  imageBytes: number;
  /** Embedded font programs by kind: Type1 (FontFile), TrueType (FontFile2), CFF/OpenType (FontFile3). */
  fontFiles: { type1: number; truetype: number; cff: number };
  fontBytes: { type1: number; truetype: number; cff: number };
  /** Font dictionaries (Type0 descendants excluded) and how many have an embedded program. */
  fonts: number;
  embeddedFonts: number;
}

/**
 * Classifies every object by its dictionary. Reading /Length instead of the stream keeps this
 * at ~150 ms for 20,000 objects, so it can steer a job and answer a preview.
 */
export function docStats(doc: Mupdf.PDFDocument): DocStats {
  const s: DocStats = { objects: 0, images: 0, imageBytes: 0, fontFiles: { type1: 0, truetype: 0, cff: 0 }, fontBytes: { type1: 0, truetype: 0, cff: 0 }, fonts: 0, embeddedFonts: 0 };
  const fontFileKind = new Map<number, keyof DocStats['fontFiles']>();
  const n = doc.countObjects();
  s.objects = n - 1;
  for (let num = 1; num < n; num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isDictionary()) continue;
    const type = nameOf(ref, 'Type');
    if (type === 'FontDescriptor') {
      for (const [key, kind] of [['FontFile', 'type1'], ['FontFile2', 'truetype'], ['FontFile3', 'cff']] as const) {
        const ff = ref.get(key);
        if (ff.isIndirect()) fontFileKind.set(ff.asIndirect(), kind);
      }
      continue;
    }
    if (type === 'Font') {
      const sub = nameOf(ref, 'Subtype');
      if (sub === 'Type0') continue; // counted through its descendant
      s.fonts++;
      const fd = ref.get('FontDescriptor');
      if (fd.isDictionary() && (fd.get('FontFile').isStream() || fd.get('FontFile2').isStream() || fd.get('FontFile3').isStream())) s.embeddedFonts++;
      continue;
    }
    if (!ref.isStream()) continue;
    const len = ref.get('Length');
    const bytes = len.isNumber() ? len.asNumber() : 0;
    if (nameOf(ref, 'Subtype') === 'Image') {
      s.images++;
      s.imageBytes += bytes;
    }
  }
  for (const [num, kind] of fontFileKind) {
    const len = doc.newIndirect(num).get('Length');
    s.fontFiles[kind]++;
    s.fontBytes[kind] += len.isNumber() ? len.asNumber() : 0;
  }
  return s;
}
