import type * as Mupdf from 'mupdf';

/**
 * mode redo: an old OCR layer is text drawn in render mode 3 (invisible), as every OCR tool
 * writes it (Tesseract, OCRmyPDF, ABBYY, Acrobat). Its text-showing operators (Tj, TJ, ', ")
 * are dropped from the page's content streams and from the form XObjects the page draws;
 * everything else (visible text, images, paths, the text state) stays byte for byte, so the
 * page looks exactly as before. The tokenizer knows PDF's strings (escapes, nesting), hex
 * strings, arrays, dictionaries, comments and inline images, so no operand is mistaken for
 * an operator.
 */
type Token = { op: string; start: number; end: number };

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

/** Splits a content stream into operators, each with the byte span of its operands and itself. */
function operators(b: Uint8Array): Token[] {
  const out: Token[] = [];
  let i = 0;
  let start = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (WS.has(c)) {
      i++;
      continue;
    }
    if (c === 0x25) {
      while (i < n && b[i] !== 0x0a && b[i] !== 0x0d) i++;
      continue;
    }
    if (c === 0x28) {
      // literal string, with nesting and escapes
      let depth = 0;
      for (; i < n; i++) {
        if (b[i] === 0x5c) i++;
        else if (b[i] === 0x28) depth++;
        else if (b[i] === 0x29 && --depth === 0) break;
      }
      i++;
      continue;
    }
    if (c === 0x3c) {
      if (b[i + 1] === 0x3c) {
        i += 2; // dictionary start
        continue;
      }
      while (i < n && b[i] !== 0x3e) i++; // hex string
      i++;
      continue;
    }
    if (c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d) {
      i++;
      continue;
    }
    if (c === 0x2f) {
      i++;
      while (i < n && !WS.has(b[i]!) && !DELIM.has(b[i]!)) i++;
      continue;
    }
    // a number or an operator
    const s = i;
    while (i < n && !WS.has(b[i]!) && !DELIM.has(b[i]!)) i++;
    if (i === s) {
      i++;
      continue;
    }
    const word = Buffer.from(b.subarray(s, i)).toString('latin1');
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) || word === 'true' || word === 'false' || word === 'null') continue;
    if (word === 'BI') {
      // inline image: skip to "EI" standing alone after the binary data
      let j = i;
      for (; j + 2 < n; j++) {
        if (b[j] === 0x49 && b[j + 1] === 0x44 && WS.has(b[j + 2]!)) break; // ID
      }
      j += 3;
      for (; j + 1 < n; j++) {
        if (WS.has(b[j - 1]!) && b[j] === 0x45 && b[j + 1] === 0x49 && (j + 2 >= n || WS.has(b[j + 2]!))) break;
      }
      i = Math.min(n, j + 2);
      out.push({ op: 'BI', start, end: i });
      start = i;
      continue;
    }
    out.push({ op: word, start, end: i });
    start = i;
  }
  return out;
}

/** The stream without its invisible text; undefined when it has none. `tr` is the render mode it starts with. */
export function stripInvisibleText(content: Uint8Array): Uint8Array | undefined {
  const ops = operators(content);
  const stack: number[] = [];
  let tr = 0;
  const drop: Token[] = [];
  for (const t of ops) {
    if (t.op === 'q') stack.push(tr);
    else if (t.op === 'Q') tr = stack.pop() ?? tr;
    else if (t.op === 'Tr') {
      const m = /([+-]?\d+)\s*Tr$/.exec(Buffer.from(content.subarray(t.start, t.end)).toString('latin1').trim());
      if (m) tr = Number(m[1]);
    } else if (tr === 3 && (t.op === 'Tj' || t.op === 'TJ' || t.op === "'" || t.op === '"')) drop.push(t);
  }
  if (!drop.length) return undefined;
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const d of drop) {
    parts.push(content.subarray(at, d.start));
    // ' and " also move to the next line: keep that, without showing anything.
    if (d.op === "'" || d.op === '"') parts.push(Buffer.from(' T* '));
    else parts.push(Buffer.from(' '));
    at = d.end;
  }
  parts.push(content.subarray(at));
  return Buffer.concat(parts);
}

/** Removes invisible text from one page (its content streams and the forms it draws). Returns the number of streams changed. */
export function removeInvisibleText(doc: Mupdf.PDFDocument, index: number, seen = new Set<number>()): number {
  const pageObj = doc.findPage(index);
  let changed = 0;
  const rewrite = (stream: Mupdf.PDFObject) => {
    if (!stream.isStream()) return;
    const num = stream.isIndirect() ? stream.asIndirect() : -1;
    if (num >= 0 && seen.has(num)) return;
    if (num >= 0) seen.add(num);
    const stripped = stripInvisibleText(stream.readStream().asUint8Array());
    if (stripped) {
      stream.writeStream(stripped);
      changed++;
    }
  };
  const forms = (resources: Mupdf.PDFObject, depth: number) => {
    if (depth > 8 || !resources.isDictionary()) return;
    const xobjects = resources.get('XObject');
    if (!xobjects.isDictionary()) return;
    xobjects.forEach((x) => {
      if (!x.isStream() || x.get('Subtype').asName() !== 'Form') return;
      const num = x.isIndirect() ? x.asIndirect() : -1;
      if (num >= 0 && seen.has(num)) return;
      rewrite(x);
      forms(x.get('Resources'), depth + 1);
    });
  };
  const contents = pageObj.get('Contents');
  if (contents.isArray()) contents.forEach((c) => rewrite(c));
  else rewrite(contents);
  forms(pageObj.getInheritable('Resources'), 0);
  return changed;
}
