import { readFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { mergeValues } from '../../src/ai/extract.js';
import { toCsv, toRows, writeExport } from '../../src/ai/export.js';
import { tempDir } from '../helpers/app.js';

const invoice = {
  invoice_number: 'INV-7',
  vendor: { name: 'ACME, Inc.', address: null },
  tags: ['a', 'b'],
  line_items: [
    { description: 'Widget "XL"', quantity: 2, amount: 20 },
    { description: '=HYPERLINK("http://evil")', quantity: 1, amount: -5 },
  ],
  total: 15,
};

t.test('rows: one per item of the largest list, document fields on every row', async (t) => {
  const rows = toRows(invoice);
  t.equal(rows.length, 2);
  t.same(rows[0], { invoice_number: 'INV-7', 'vendor.name': 'ACME, Inc.', 'vendor.address': null, tags: 'a; b', total: 15, 'line_items.description': 'Widget "XL"', 'line_items.quantity': 2, 'line_items.amount': 20 });
  t.same(toRows({ a: 1, b: { c: 2 } }), [{ a: 1, 'b.c': 2 }], 'no list: one row');
  t.same(toRows([{ x: 1 }, { x: 2 }]), [{ x: 1 }, { x: 2 }]);
});

t.test('CSV: quoted where needed, formulas neutralised, numbers left alone', async (t) => {
  const csv = toCsv(invoice);
  t.ok(csv.startsWith('\uFEFF'), 'BOM for spreadsheet apps');
  const lines = csv.slice(1).trimEnd().split('\r\n');
  t.equal(lines.length, 3);
  t.equal(lines[0], 'invoice_number,vendor.name,vendor.address,tags,total,line_items.description,line_items.quantity,line_items.amount');
  t.equal(lines[1], 'INV-7,"ACME, Inc.",,a; b,15,"Widget ""XL""",2,20');
  t.equal(lines[2], `INV-7,"ACME, Inc.",,a; b,15,"'=HYPERLINK(""http://evil"")",1,-5`);
});

t.test('XLSX: a Document sheet and a sheet per list; formula-like text stays text', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'out.xlsx');
  await writeExport(invoice, 'xlsx', file);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  t.same(book.worksheets.map((s) => s.name), ['Document', 'line_items']);
  const items = book.getWorksheet('line_items')!;
  t.same(items.getRow(1).values, [undefined, 'description', 'quantity', 'amount']);
  const evil = items.getRow(3).getCell(1);
  t.equal(evil.type, ExcelJS.ValueType.String);
  t.equal(evil.value, '=HYPERLINK("http://evil")');
  const doc = book.getWorksheet('Document')!;
  t.same(doc.getRow(2).values, [undefined, 'invoice_number', 'INV-7']);
});

t.test('JSON export is the data, pretty-printed', async (t) => {
  const file = path.join(tempDir(t), 'out.json');
  await writeExport(invoice, 'json', file);
  t.same(JSON.parse(readFileSync(file, 'utf8')), invoice);
});

t.test('merging parts: lists concatenated in order, first value kept, gaps filled', async (t) => {
  const merged = mergeValues(
    { number: 'A1', date: null, items: [{ n: 1 }], vendor: { name: 'V', vat: null } },
    { number: 'ignored', date: '2024-01-02', items: [{ n: 2 }], vendor: { name: 'W', vat: 'DE1' }, extra: true },
  );
  t.same(merged, { number: 'A1', date: '2024-01-02', items: [{ n: 1 }, { n: 2 }], vendor: { name: 'V', vat: 'DE1' }, extra: true });
  t.same(mergeValues(undefined, { a: 1 }), { a: 1 });
  const polluted = mergeValues({}, JSON.parse('{"__proto__": {"hacked": true}, "ok": 1}')) as Record<string, unknown>;
  t.equal(polluted.ok, 1);
  t.equal(({} as Record<string, unknown>).hacked, undefined);
});
