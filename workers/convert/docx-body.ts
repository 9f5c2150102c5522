import { cellRuns } from './layout.js';
import type { Run, Table, TableCell } from './types.js';

/**
 * WordprocessingML for paragraphs, runs and tables, written as text. The `docx` library's
 * object model costs ~170 µs per run (4.0 s for the 23,000 runs of the 311-page gnuplot
 * manual, against 1.7 s for MuPDF to extract the whole text), so the body is generated
 * here and the library builds the package around it (write-docx.ts).
 */
const TWIPS_PER_PT = 20;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const esc = (s: string) => (/[&<>]/.test(s) ? s.replace(/[&<>]/g, (c) => ENTITIES[c]!) : s);

export function runXml(r: Run): string {
  const font = r.mono ? '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>' : '';
  const size = Math.max(2, Math.round(r.size * 2));
  return `<w:r><w:rPr>${font}${r.bold ? '<w:b/>' : ''}${r.italic ? '<w:i/>' : ''}<w:sz w:val="${size}"/><w:szCs w:val="${size}"/></w:rPr><w:t xml:space="preserve">${esc(r.text)}</w:t></w:r>`;
}

/**
 * A paragraph. `style` is a heading token (style.ts) for paragraphs that may be headings:
 * it becomes <w:pStyle w:val="HeadingN"/> (Word's navigation pane, table of contents) or
 * nothing when the document is assembled.
 */
export function paragraphXml(runs: Run[], style: string, mono: boolean): string {
  const spacing = mono ? '<w:spacing w:before="0" w:after="0"/>' : '<w:spacing w:before="0" w:after="80"/>';
  return `<w:p><w:pPr>${style}${spacing}</w:pPr>${runs.map(runXml).join('')}</w:p>`;
}

export const PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>';

const BORDERS = ['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map((b) => `<w:${b} w:val="single" w:sz="4" w:space="0" w:color="auto"/>`).join('');

/**
 * A Word table on the PDF table's grid: column widths from the grid (scaled down to the
 * text width when wider), merged cells as gridSpan (across) and vMerge (down; Word wants a
 * continuation cell in every row a merged cell covers).
 */
export function tableXml(t: Table, textWidth: number): string {
  const widths = t.xs.slice(1).map((x, i) => x - t.xs[i]!);
  const total = widths.reduce((a, b) => a + b, 0);
  const scale = total > textWidth ? textWidth / total : 1;
  const twips = widths.map((w) => Math.max(200, Math.round(w * scale * TWIPS_PER_PT)));
  const rows = t.ys.length - 1;
  const cols = twips.length;
  const at: (TableCell | undefined)[][] = Array.from({ length: rows }, () => new Array<TableCell | undefined>(cols));
  for (const c of t.cells) for (let r = c.row; r < c.row + c.rowSpan && r < rows; r++) at[r]![c.col] = c;
  let xml = `<w:tbl><w:tblPr><w:tblW w:w="${twips.reduce((a, b) => a + b, 0)}" w:type="dxa"/><w:tblBorders>${BORDERS}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>`;
  xml += `<w:tblGrid>${twips.map((w) => `<w:gridCol w:w="${w}"/>`).join('')}</w:tblGrid>`;
  for (let r = 0; r < rows; r++) {
    xml += '<w:tr>';
    let c = 0;
    while (c < cols) {
      const cell = at[r]![c];
      if (!cell || cell.col !== c) {
        // A slot no cell starts in (a ragged grid): an empty cell keeps the row on the grid.
        xml += `<w:tc><w:tcPr><w:tcW w:w="${twips[c]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>`;
        c++;
        continue;
      }
      const span = Math.min(cell.colSpan, cols - c);
      const width = twips.slice(c, c + span).reduce((a, b) => a + b, 0);
      const gridSpan = span > 1 ? `<w:gridSpan w:val="${span}"/>` : '';
      const first = cell.row === r;
      const vMerge = cell.rowSpan > 1 ? (first ? '<w:vMerge w:val="restart"/>' : '<w:vMerge/>') : '';
      const body = first ? `<w:p>${cellRuns(cell.lines).map(runXml).join('')}</w:p>` : '<w:p/>';
      xml += `<w:tc><w:tcPr><w:tcW w:w="${width}" w:type="dxa"/>${gridSpan}${vMerge}</w:tcPr>${body}</w:tc>`;
      c += span;
    }
    xml += '</w:tr>';
  }
  return `${xml}</w:tbl>`;
}
