import { AppError } from '../errors.js';

/** File kinds the service accepts, recognised by their first bytes, never by their name. */
export type FileKind = 'pdf' | 'png' | 'jpeg' | 'tiff' | 'bmp' | 'webp' | 'gif';

/**
 * What the first bytes of a file say it is. A PDF may carry junk before its header (some
 * generators prepend a BOM or mail headers); readers accept `%PDF-` within the first 1024
 * bytes, and so do we.
 */
export function sniff(head: Uint8Array): FileKind | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  const tiff = b.subarray(0, 4).toString('latin1');
  if (tiff === 'II*\0' || tiff === 'MM\0*') return 'tiff';
  if (b.subarray(0, 2).toString('latin1') === 'BM' && b.length >= 26) return 'bmp';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (/^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1'))) return 'gif';
  return undefined;
}

/**
 * A file that must be a PDF: not empty (INVALID_PDF) and `%PDF-` in its first 1024 bytes
 * (INVALID_FILE_TYPE; names are never trusted). The first check on every PDF route, and in
 * the command line's in-process runs.
 */
export function assertPdf(file: { size: number; head: Uint8Array }): void {
  if (file.size === 0) throw new AppError('INVALID_PDF', 'The file is empty.');
  if (sniff(file.head) !== 'pdf') throw new AppError('INVALID_FILE_TYPE', 'The file is not a PDF (no %PDF- header in its first 1024 bytes).');
}
