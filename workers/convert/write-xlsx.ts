import ExcelJS from 'exceljs';
import type { Part, SheetTable } from './part.js';
import { parseNumber } from './text.js';

/** Excel refuses longer cell text. */
const MAX_CELL_CHARS = 32_767;

/**
 * Detected tables → one worksheet each ("Table 3 (p12)"), one spreadsheet cell per table
 * cell, merged where the PDF cell spans several, numbers stored as numbers (with a
 * percent or currency format when printed so), bold where the PDF cell is bold. Without
 * any table: one sheet "Text" with one text line per row. Written with exceljs' streaming
 * writer, so a large document never sits in memory as a workbook.
 */
export async function writeXlsx(parts: Part[], out: string): Promise<{ tables: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'pdf-smaller';
  let n = 0;
  for (const part of parts) {
    for (const table of part.tables) writeTable(wb.addWorksheet(`Table ${++n} (p${table.page})`), table);
  }
  if (n === 0) {
    const ws = wb.addWorksheet('Text');
    ws.columns = [{ width: 100 }];
    for (const part of parts) for (const line of part.lines) ws.addRow([line.slice(0, MAX_CELL_CHARS)]).commit();
    ws.commit();
  }
  await wb.commit();
  return { tables: n };
}

/**
 * Streaming rows are final once committed and merging touches every covered cell, so a
 * table's rows are filled and merged first and committed with the sheet (tables are small;
 * the workbook as a whole still streams).
 */
function writeTable(ws: ExcelJS.Worksheet, t: SheetTable): void {
  // Excel column width is in characters of the default font, about 5.5 pt each.
  ws.columns = t.widths.map((w) => ({ width: Math.min(80, Math.max(6, w / 5.5)) }));
  t.rows.forEach((cells, r) => {
    const row = ws.getRow(r + 1);
    cells.forEach((c, col) => {
      if (!c) return;
      const text = c.text.slice(0, MAX_CELL_CHARS);
      const num = parseNumber(text);
      const cell = row.getCell(col + 1);
      cell.value = num ? num.value : text || null;
      if (num?.numFmt) cell.numFmt = num.numFmt;
      if (c.bold) cell.font = { bold: true };
    });
  });
  for (const [r0, c0, r1, c1] of t.merges) ws.mergeCells(r0 + 1, c0 + 1, r1 + 1, c1 + 1);
  ws.commit();
}
