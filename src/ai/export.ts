import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';

export type ExportFormat = 'json' | 'csv' | 'xlsx';

export const EXPORT_TYPES: Record<ExportFormat, { ext: string; contentType: string }> = {
  json: { ext: '.json', contentType: 'application/json' },
  csv: { ext: '.csv', contentType: 'text/csv; charset=utf-8' },
  xlsx: { ext: '.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
};

type Scalar = string | number | boolean | null;
type Row = Record<string, Scalar>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTable = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.length > 0 && v.every(isObject);

/** Nested objects → dotted columns; lists of plain values → "a; b"; anything deeper → JSON text. */
function flatten(value: unknown, prefix: string, out: Row = {}): Row {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) {
    out[prefix] = value.every((v) => v === null || typeof v !== 'object') ? value.map(String).join('; ') : JSON.stringify(value);
  } else {
    out[prefix || 'value'] = value === undefined ? null : (value as Scalar);
  }
  return out;
}

/**
 * The data as one table: one row per item of its largest list of objects (an invoice's line
 * items, a statement's transactions), each row carrying the document-level fields too; no
 * such list → one row.
 */
export function toRows(data: unknown): Row[] {
  if (isTable(data)) return data.map((item) => flatten(item, ''));
  if (!isObject(data)) return [flatten(data, '')];
  const lists = Object.entries(data).filter(([, v]) => isTable(v)) as [string, Record<string, unknown>[]][];
  const main = lists.sort((a, b) => b[1].length - a[1].length)[0];
  const header = flatten(Object.fromEntries(Object.entries(data).filter(([k]) => k !== main?.[0])), '');
  if (!main) return [header];
  return main[1].map((item) => ({ ...header, ...flatten(item, main[0]) }));
}

/**
 * RFC 4180 CSV with a UTF-8 BOM (so spreadsheet apps read accents right). A text cell that
 * starts like a formula (= + - @ tab CR) gets a leading apostrophe: the values came from a
 * model reading an untrusted document, and must not run as formulas when opened.
 */
export function toCsv(data: unknown): string {
  const rows = toRows(data);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Scalar | undefined) => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [columns.map((c) => cell(c)).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Sheet names: at most 31 characters, none of []:*?/\, unique in the workbook. */
function sheetName(raw: string, taken: Set<string>): string {
  const base = raw.replace(/[[\]:*?/\\]/g, '_').slice(0, 28) || 'Sheet';
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * A workbook with a "Document" sheet (every document-level field, flattened, as field/value
 * pairs) and one sheet per list of objects. Values are written as plain cells: exceljs only
 * writes a formula for an explicit {formula} value, so "=CMD()" stays text.
 */
export async function writeXlsx(data: unknown, file: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  const taken = new Set<string>();
  const lists = isObject(data) ? (Object.entries(data).filter(([, v]) => isTable(v)) as [string, Record<string, unknown>[]][]) : [];
  const fields = isObject(data) ? flatten(Object.fromEntries(Object.entries(data).filter(([k]) => !lists.some(([l]) => l === k))), '') : {};
  const doc = book.addWorksheet(sheetName('Document', taken));
  doc.addRow(['field', 'value']).font = { bold: true };
  for (const [k, v] of Object.entries(fields)) doc.addRow([k, v]);
  const tables = isTable(data) ? [['items', data] as [string, Record<string, unknown>[]]] : lists;
  for (const [key, items] of tables) {
    const rows = items.map((item) => flatten(item, ''));
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const sheet = book.addWorksheet(sheetName(key, taken));
    sheet.addRow(columns).font = { bold: true };
    for (const r of rows) sheet.addRow(columns.map((c) => r[c] ?? null));
  }
  await book.xlsx.writeFile(file);
}

/** Writes the extraction result in the requested format. */
export async function writeExport(data: unknown, format: ExportFormat, file: string): Promise<void> {
  if (format === 'xlsx') return writeXlsx(data, file);
  await writeFile(file, format === 'csv' ? toCsv(data) : `${JSON.stringify(data, null, 2)}\n`, { flag: 'wx' });
}
