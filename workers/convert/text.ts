/**
 * Text as it comes out of a PDF may hold characters no XML file can carry (control codes from
 * broken font encodings, lone surrogates, U+FFFE): one of them in document.xml and Word
 * refuses the whole file. They are dropped here, once, for every format.
 */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Cheap first test: almost every line has none of these, and the full pattern costs a lookbehind per char. */
const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;

export function cleanText(text: string): string {
  return SUSPECT.test(text) ? text.replace(NOT_XML, '') : text;
}

export interface CellNumber {
  value: number;
  /** Excel number format that shows the value as it was printed (percent, currency), if any. */
  numFmt?: string;
}

const PLAIN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const CURRENCY: Record<string, string> = { $: '"$"', '€': '"€"', '£': '"£"', '¥': '"¥"' };

/**
 * A table cell's text as a number when the whole cell is one: "12", "-4.25", "1,250.00",
 * "(300)" (accounting negative), "12.5%", "$3.50". Leading zeros ("007") and numbers with
 * more digits than a double holds stay text, since they are identifiers, not quantities.
 */
export function parseNumber(raw: string): CellNumber | undefined {
  let s = raw.trim().replace(/\u2212/g, '-').replace(/\s/g, '');
  if (!s || s.length > 40) return undefined;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  let fmt: string | undefined;
  const cur = CURRENCY[s[0] ?? ''];
  if (cur) {
    fmt = `${cur}#,##0.00`;
    s = s.slice(1);
  }
  let percent = false;
  if (s.endsWith('%')) {
    percent = true;
    s = s.slice(0, -1);
  }
  if (GROUPED.test(s)) s = s.replace(/,/g, '');
  else if (!PLAIN.test(s)) return undefined;
  if (/^[+-]?0\d/.test(s)) return undefined;
  if (s.replace(/[^\d]/g, '').length > 15) return undefined;
  let value = Number(s);
  if (!Number.isFinite(value)) return undefined;
  if (negative) value = -value;
  if (percent) {
    value /= 100;
    fmt = '0.##%';
  }
  return fmt ? { value, numFmt: fmt } : { value };
}
