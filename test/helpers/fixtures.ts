import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

/**
 * Test inputs generated on the fly (nothing binary is committed). Each returns the bytes of
 * a real PDF whose content the test knows.
 */
export async function textPdf(pages = 3, opts: { words?: number } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Page ${i + 1} of the test document`, { x: 50, y: 780, size: 18, font });
    const words = opts.words ?? 400;
    const lines: string[] = [];
    for (let w = 0; w < words; w += 12) lines.push(Array.from({ length: 12 }, (_, k) => `word${(w + k) % 97}`).join(' '));
    lines.forEach((line, n) => page.drawText(line, { x: 50, y: 740 - n * 14, size: 10, font, color: rgb(0, 0, 0) }));
  }
  // Without object streams, so a structural rewrite has something to win.
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A PDF cut off in the middle: starts like a PDF, cannot be opened. */
export async function truncatedPdf(): Promise<Buffer> {
  const full = await textPdf(2);
  return Buffer.concat([Buffer.from('%PDF-1.7\n%garbage\n'), full.subarray(200, 400)]);
}

export const notAPdf = Buffer.from('<html><body>definitely not a pdf</body></html>\n');

/** A PDF that needs a password to open (AES-256, user password "secret"). */
export async function encryptedPdf(): Promise<Buffer> {
  const mupdf = await import('mupdf');
  const doc = new mupdf.PDFDocument(await textPdf(1));
  const out = doc.saveToBuffer('encrypt=aes-256,user-password=secret,owner-password=owner');
  return Buffer.from(out.asUint8Array());
}
