import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { manyPagesPdf } from './many-pages.js';

/**
 * Hostile inputs, generated in memory at test time (nothing binary is committed; the largest
 * is ~1.6 MB, the 20,000-page file). Each function returns the bytes of one kind of file that
 * has hurt PDF services: broken structure, loops, bombs, absurd sizes, files that are two
 * things at once. Written by hand, byte by byte, because a PDF library would refuse (or
 * repair) most of them.
 */

type PdfObject = string | { dict: string; stream: Buffer };

export interface WriteOptions {
  /** Bytes before the first object (default a PDF 1.7 header and a binary comment). */
  header?: string;
  /** Added to every xref offset: a table that points past its objects. */
  offsetShift?: number;
  /** Extra trailer entries, e.g. `/Prev 0`. */
  trailer?: string;
  /** Object number of the catalog (default 1). */
  root?: number;
}

/**
 * A classic PDF: objects 1…n in order, one xref table, a trailer. Stream objects get their
 * /Length; everything else is written as given, hostile or not.
 */
export function writePdf(objects: PdfObject[], opts: WriteOptions = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(opts.header ?? '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let pos = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(pos);
    const body =
      typeof obj === 'string'
        ? Buffer.from(`${i + 1} 0 obj\n${obj}\nendobj\n`, 'latin1')
        : Buffer.concat([
            Buffer.from(`${i + 1} 0 obj\n<< ${obj.dict} /Length ${obj.stream.length} >>\nstream\n`, 'latin1'),
            obj.stream,
            Buffer.from('\nendstream\nendobj\n', 'latin1'),
          ]);
    chunks.push(body);
    pos += body.length;
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) xref += `${String(off + (opts.offsetShift ?? 0)).padStart(10, '0')} 00000 n \n`;
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${opts.root ?? 1} 0 R ${opts.trailer ?? ''}>>\nstartxref\n${pos}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** One A4 page showing `content`, with `resources` (a dict body) on it. Objects 1–4. */
function onePage(content: PdfObject, resources = '', extra: PdfObject[] = []): PdfObject[] {
  return [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << ${resources} >> /Contents 4 0 R >>`,
    content,
    ...extra,
  ];
}

const TEXT = 'BT /F1 12 Tf 72 770 Td (Hello from a hostile test file) Tj ET';
const FONT = '/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>';

/** A small valid one-page PDF with a line of text (the control case). */
export function validPdf(): Buffer {
  return writePdf(onePage({ dict: '', stream: Buffer.from(TEXT) }, FONT));
}

// ---------------------------------------------------------------------------------------
// Not PDFs at all

export const emptyFile = (): Buffer => Buffer.alloc(0);

/** Seeded noise, so a failure reproduces. */
export function randomBytes(size = 64 * 1024, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  let a = seed >>> 0;
  for (let i = 0; i < size; i++) {
    a = (a * 1664525 + 1013904223) >>> 0;
    out[i] = a >>> 24;
  }
  return out;
}

export const htmlFile = (): Buffer =>
  Buffer.from('<!doctype html>\n<html><head><title>invoice.pdf</title></head><body><script>fetch("/api/jobs")</script><p>not a pdf</p></body></html>\n');

// ---------------------------------------------------------------------------------------
// Zip: a .docx renamed .pdf, and the zip half of a polyglot

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip of stored entries. `base` is where the zip will start in the final file: offsets in a
 * zip are absolute, so a zip appended to a PDF stays valid only if it knows its position.
 */
export function zipOf(entries: Record<string, string | Buffer>, base = 0): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const fname = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28);
    central.writeUInt32LE(base + offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += local.length + fname.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(base + offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A real (minimal) Word document: what a user uploads by mistake as "report.pdf". */
export function docxFile(): Buffer {
  return zipOf({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml':
      '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
      '<w:body><w:p><w:r><w:t>Quarterly report (a Word file named .pdf)</w:t></w:r></w:p></w:body></w:document>',
  });
}

// ---------------------------------------------------------------------------------------
// Broken structure

/** A real 3-page PDF cut at `fraction` of its length (1 = only the trailer lost). */
export function truncatedAt(fraction: number): Buffer {
  const full = manyPagesPdf(3, 20);
  const cut = fraction >= 1 ? full.length - 40 : Math.max(9, Math.floor(full.length * fraction));
  return full.subarray(0, cut);
}

/** Every xref offset 7 bytes off and startxref pointing into the middle of an object. */
export function brokenXref(): Buffer {
  const pdf = writePdf(onePage({ dict: '', stream: Buffer.from(TEXT) }, FONT), { offsetShift: 7 });
  const s = pdf.toString('latin1');
  return Buffer.from(s.replace(/startxref\n(\d+)/, (_m, n: string) => `startxref\n${Number(n) - 100}`), 'latin1');
}

/** An incremental update whose trailer's /Prev names its own xref section: a loop. */
export function xrefLoop(): Buffer {
  const base = validPdf();
  const updated = Buffer.from('1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Lang (en) >>\nendobj\n', 'latin1');
  const objOffset = base.length;
  const xrefOffset = base.length + updated.length;
  const section =
    `xref\n0 1\n0000000000 65535 f \n1 1\n${String(objOffset).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size 5 /Root 1 0 R /Prev ${xrefOffset} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.concat([base, updated, Buffer.from(section, 'latin1')]);
}

/** A page tree whose Kids point back up: Pages 2 → Pages 3 → Pages 2 … (and a real page too). */
export function pageTreeLoop(): Buffer {
  return writePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 3 >>',
    '<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R 2 0 R] /Count 3 >>',
    `<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << ${FONT} >> /Contents 5 0 R >>`,
    { dict: '', stream: Buffer.from(TEXT) },
  ]);
}

/** Arrays (or dictionaries) nested `depth` deep: the catalog carries them, so opening parses them. */
export function deeplyNested(kind: 'array' | 'dict', depth = 100_000): Buffer {
  const deep = kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '<< /A '.repeat(depth) + '1' + ' >>'.repeat(depth);
  return writePdf([
    `<< /Type /Catalog /Pages 2 0 R /Deep ${deep} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << ${FONT} /Deep ${deep} >> /Contents 4 0 R >>`,
    { dict: '', stream: Buffer.from(`${TEXT}\n${kind === 'array' ? deep : ''}`) },
  ]);
}

// ---------------------------------------------------------------------------------------
// Bombs and absurd sizes

const ADLER_MOD = 65521;

/**
 * A zlib stream that inflates to `size` zero bytes, built without ever holding them: a
 * 1 MiB block of zeros compressed once with a full flush (which resets the compressor, so
 * the same bytes can follow themselves), repeated, then a final empty block and the Adler-32
 * of all-zero data (a = 1, b = size mod 65521). Ratio ~1000:1, deflate's ceiling.
 */
export function zerosZlib(size: number): Buffer {
  const MiB = 1024 * 1024;
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const whole = Math.floor(size / MiB);
  const rest = size - whole * MiB;
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < whole; i++) parts.push(block);
  parts.push(deflateRawSync(Buffer.alloc(rest), { level: 9 })); // the final block (may be empty)
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((size % ADLER_MOD) << 16) | 1) >>> 0);
  parts.push(adler);
  return Buffer.concat(parts);
}

/**
 * Gigabytes of zeros behind two Flate filters: the inner stream is ~1/1000 of the output,
 * and being one block repeated it deflates again ~100:1. 4 GiB → ~4 MiB → ~40 KiB.
 */
export function bombStream(size: number): { filter: string; data: Buffer } {
  return { filter: '/Filter [/FlateDecode /FlateDecode]', data: deflateSync(zerosZlib(size), { level: 9 }) };
}

export const GiB = 1024 * 1024 * 1024;

/** A page whose content stream inflates to `size` bytes (4 GiB by default) of zeros (PDF whitespace). */
export function contentBomb(size = 4 * GiB): Buffer {
  const bomb = bombStream(size);
  return writePdf(onePage({ dict: bomb.filter, stream: bomb.data }, FONT));
}

/** A 1000×1000 image whose Flate stream inflates to `size` bytes (4 GiB), drawn on the page. */
export function imageBomb(size = 4 * GiB): Buffer {
  const bomb = bombStream(size);
  return writePdf(
    onePage({ dict: '', stream: Buffer.from(`${TEXT}\nq 400 0 0 400 100 300 cm /Im0 Do Q`) }, `${FONT} /XObject << /Im0 5 0 R >>`, [
      { dict: `/Type /XObject /Subtype /Image /Width 1000 /Height 1000 /ColorSpace /DeviceRGB /BitsPerComponent 8 ${bomb.filter}`, stream: bomb.data },
    ]),
  );
}

/** A TrueType font program that inflates to `size` bytes (3 GiB): fonts are read whole. */
export function fontBomb(size = 3 * GiB): Buffer {
  const bomb = bombStream(size);
  return writePdf(
    onePage({ dict: '', stream: Buffer.from(TEXT.replace('/F1', '/FB')) }, '/Font << /FB 5 0 R >>', [
      '<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 /FontDescriptor 6 0 R >>',
      '<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>',
      { dict: bomb.filter, stream: bomb.data },
    ]),
  );
}

/** A form XObject whose content draws itself: recursion without end unless the reader stops it. */
export function selfDrawingForm(): Buffer {
  return writePdf(
    onePage({ dict: '', stream: Buffer.from(`${TEXT}\n/Fm Do`) }, `${FONT} /XObject << /Fm 5 0 R >>`, [
      { dict: '/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Fm 5 0 R >> >>', stream: Buffer.from('0.9 0.9 0.9 rg 10 10 20 20 re f 1 0 0 1 1 1 cm /Fm Do') },
    ]),
  );
}

/**
 * A form bomb: the page draws form 1 `fanout` times, form 1 draws form 2 `fanout` times, and
 * so on `depth` levels down: a few hundred bytes, fanout^depth draws (10^8 by default).
 */
export function nestedForms(depth = 8, fanout = 10): Buffer {
  const draws = (name: string) => Buffer.from(Array.from({ length: fanout }, () => `/${name} Do`).join(' '));
  const forms: PdfObject[] = [];
  for (let level = 1; level <= depth; level++) {
    const num = 4 + level; // objects 5…: form `level`
    const next = level < depth ? `/Resources << /XObject << /X ${num + 1} 0 R >> >>` : '';
    forms.push({ dict: `/Type /XObject /Subtype /Form /BBox [0 0 10 10] ${next}`, stream: level < depth ? draws('X') : Buffer.from('0 0 5 5 re f') });
  }
  return writePdf(onePage({ dict: '', stream: draws('X') }, '/XObject << /X 5 0 R >>', forms));
}

/**
 * Not hostile, only heavy: one vector background form of ~`formBytes` drawn on each of `pages`
 * pages (a letterhead or map template). Its content is counted once per page drawn; this must
 * pass the form-bomb check.
 */
export function sharedBackground(pages = 2000, formBytes = 600_000): Buffer {
  const path: string[] = [];
  for (let i = 0, size = 0; size < formBytes; i++) size += path[path.push(`${(i * 7) % 595} ${(i * 13) % 842} m ${(i * 11) % 595} ${(i * 17) % 842} l S\n`) - 1]!.length;
  const form = deflateSync(Buffer.from(path.join('')));
  const kids = Array.from({ length: pages }, (_, i) => `${i + 4} 0 R`).join(' ');
  const objects: PdfObject[] = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    { dict: '/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode', stream: form },
  ];
  const content = pages + 4; // one shared page content stream, after the pages
  for (let i = 0; i < pages; i++) objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Bg 3 0 R >> >> /Contents ${content} 0 R >>`);
  objects.push({ dict: '', stream: Buffer.from('/Bg Do') });
  return writePdf(objects);
}

/**
 * An image declaring `w`×`h` pixels (60000² RGB = 10.8 GB decoded) with a little real data
 * behind it; decoders pad the rest. Drawn full-page. `full` gives it all its samples, in one
 * Flate layer as a real writer would (~1/1000 of the decoded size: 16000² RGB is 750 KB).
 */
export function hugeImage(w = 60_000, h = 60_000, opts: { colorSpace?: 'DeviceRGB' | 'DeviceGray'; full?: boolean } = {}): Buffer {
  const cs = opts.colorSpace ?? 'DeviceRGB';
  const bytes = w * h * (cs === 'DeviceRGB' ? 3 : 1);
  const data = { filter: '/Filter /FlateDecode', data: opts.full ? zerosZlib(bytes) : deflateSync(Buffer.alloc(1024 * 1024, 0x80)) };
  return writePdf(
    onePage({ dict: '', stream: Buffer.from(`${TEXT}\nq 500 0 0 700 48 72 cm /Im0 Do Q`) }, `${FONT} /XObject << /Im0 5 0 R >>`, [
      { dict: `/Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /${cs} /BitsPerComponent 8 ${data.filter}`, stream: data.data },
    ]),
  );
}

/** A page whose MediaBox is absurdly large (a renderer sizing a pixmap by it needs terabytes). */
export function hugePage(): Buffer {
  return writePdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9000000 9000000] /Resources << ${FONT} >> /Contents 4 0 R >>`,
    { dict: '', stream: Buffer.from(TEXT) },
  ]);
}

/** `pages` blank pages (20,000 by default), written directly: ~75 bytes a page. */
export function manyBlankPages(pages = 20_000): Buffer {
  const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
  const objects: PdfObject[] = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`];
  for (let i = 0; i < pages; i++) objects.push('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>');
  return writePdf(objects);
}

// ---------------------------------------------------------------------------------------
// Two things at once

/** A valid PDF that is also a valid zip (the zip appended, its offsets made absolute). */
export function pdfZipPolyglot(): Buffer {
  const pdf = validPdf();
  return Buffer.concat([pdf, zipOf({ 'payload.html': '<script>alert(1)</script>', 'readme.txt': 'I am also a zip.' }, pdf.length)]);
}

/** A file that a browser renders as HTML (it starts with markup) and MuPDF opens as a PDF. */
export function pdfHtmlPolyglot(): Buffer {
  const pdf = validPdf().toString('latin1');
  const html = '<html><body><script>document.title="pwned"</script><!--\n';
  // The xref offsets shift by the prefix: MuPDF repairs or adjusts, browsers see HTML first.
  return Buffer.from(html + pdf + '\n-->\n</body></html>\n', 'latin1');
}

// ---------------------------------------------------------------------------------------
// Images (OCR takes them)

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A gray PNG declaring `w`×`h` pixels. `rows` real rows of data follow (default all: an
 * exact PNG; fewer: truncated data). Rows are zeros, so even a big image is a small file.
 */
export function pngOf(w: number, h: number, rows = h): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  const raw = (w + 1) * rows;
  const idat = raw > 64 * 1024 * 1024 ? zerosZlib(raw) : deflateSync(Buffer.alloc(raw));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG signature and header, then nothing. */
export function truncatedPng(): Buffer {
  return pngOf(400, 300).subarray(0, 40);
}

// ---------------------------------------------------------------------------------------
// Hostile file names (sent with valid content)

export const HOSTILE_NAMES: Record<string, string> = {
  'path traversal': '../../etc/passwd',
  'windows traversal': '..\\..\\windows\\win.ini',
  'NUL byte': 'report\u0000.pdf',
  '1,000 characters': `${'a'.repeat(996)}.pdf`,
  'RTL override': 'invoice\u202Efdp.exe',
  'markup and quotes': '"><img src=x onerror=alert(1)>.pdf',
  'CRLF header injection': 'a.pdf\r\nX-Injected: 1',
};
