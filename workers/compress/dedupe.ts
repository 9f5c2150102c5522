import { createHash } from 'node:crypto';
import type * as Mupdf from 'mupdf';
import { nameOf } from './mupdf-util.js';

/**
 * Merges byte-identical streams (same dictionary and same data): the same logo or font
 * embedded once per page by merged or generated PDFs. MuPDF's own garbage=4 does this too
 * but compares every pair and is 20–90× slower than garbage=2 on 1,000-page files; hashing is
 * linear. References are rewritten only when a duplicate exists, in one pass over all
 * objects; the orphans are then dropped by the save's garbage collection.
 */
export function dedupeStreams(doc: Mupdf.PDFDocument): number {
  const n = doc.countObjects();
  const canonical = new Map<string, number>();
  const dup = new Map<number, number>();
  for (let num = 1; num < n; num++) {
    const ref = doc.newIndirect(num);
    if (!ref.isStream()) continue;
    const type = nameOf(ref, 'Type');
    if (type === 'XRef' || type === 'ObjStm' || type === 'Metadata') continue;
    const raw = ref.readRawStream();
    if (raw.getLength() < 64) {
      raw.destroy();
      continue; // too small to be worth a reference rewrite
    }
    const hash = createHash('sha1').update(dictKey(ref)).update(raw.asUint8Array()).digest('base64');
    raw.destroy();
    const first = canonical.get(hash);
    if (first === undefined) canonical.set(hash, num);
    else dup.set(num, first);
  }
  if (dup.size === 0) return 0;
  for (let num = 1; num < n; num++) {
    if (dup.has(num)) continue;
    const ref = doc.newIndirect(num);
    if (ref.isDictionary() || ref.isArray()) rewrite(doc, ref, dup);
  }
  rewrite(doc, doc.getTrailer(), dup);
  return dup.size;
}

/** The dictionary minus /Length, keys sorted, as text. */
function dictKey(ref: Mupdf.PDFObject): string {
  const parts: string[] = [];
  ref.forEach((v, k) => {
    if (k !== 'Length') parts.push(`${k}=${v.toString()}`);
  });
  return parts.sort().join('\n');
}

function rewrite(doc: Mupdf.PDFDocument, container: Mupdf.PDFObject, dup: Map<number, number>) {
  container.forEach((v, k) => {
    if (v.isIndirect()) {
      const to = dup.get(v.asIndirect());
      if (to !== undefined) container.put(k, doc.newIndirect(to));
    } else if (v.isDictionary() || v.isArray()) {
      rewrite(doc, v, dup);
    }
  });
}
