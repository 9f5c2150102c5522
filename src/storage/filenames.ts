import path from 'node:path';

/**
 * A client's file name made safe to echo back (Content-Disposition, zip entries, results):
 * only the last path segment, no control characters, no bidi controls (U+202E makes
 * "invoice\u202Efdp.exe" display as "invoiceexe.pdf"), no zero-width or other invisible
 * format characters, no quotes or characters Windows refuses, no leading dots, at most `max`
 * characters (the extension kept), never empty.
 */
export function safeFilename(name: string | undefined, fallback = 'document.pdf', max = 150): string {
  let base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  base = base
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '')
    .trim();
  if (!base) return fallback;
  if ([...base].length > max) {
    const ext = path.extname(base).slice(0, 16);
    base = [...base.slice(0, base.length - ext.length)].slice(0, max - ext.length).join('') + ext;
  }
  return base;
}

/** `name` with its extension replaced (or added). */
export function withExtension(name: string, ext: string): string {
  const current = path.extname(name);
  return (current ? name.slice(0, -current.length) : name) + ext;
}

/** `report.pdf` → `report_compressed.pdf`. */
export function withSuffix(name: string, suffix: string, ext = path.extname(name) || '.pdf'): string {
  const current = path.extname(name);
  return `${current ? name.slice(0, -current.length) : name}${suffix}${ext}`;
}

/**
 * RFC 6266 header value: an ASCII fallback for old clients and the exact UTF-8 name in
 * filename* for the rest. The name must already have gone through safeFilename.
 */
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\%]/g, '_') || 'download';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
