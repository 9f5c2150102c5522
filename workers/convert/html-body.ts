import { cellRuns } from './layout.js';
import { headingToken } from './style.js';
import { cellsByRow } from './table-cells.js';
import type { Item, PageImage, Run, Table } from './types.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export const escHtml = (s: string) => (/[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => ENTITIES[c]!) : s);

/** Separates pages; parts emit it before every page and assembly drops the document's first. */
export const HTML_PAGE_BREAK = '<hr class="page-break">\n';

/**
 * One page's items as HTML: <section> per page, headings as tokens in the tag name
 * (`<␁H16␁>…</␁H16␁>` becomes <h2> or <p> once the document's sizes are known), runs as
 * <b>/<i>/<code>, consecutive code lines as one <pre>, tables with col/rowspan. Images are
 * handed to `image` (inlined as data URIs when the file is assembled).
 */
export function htmlPage(page: number, items: Item[], text: (html: string) => void, image: (img: PageImage) => void): void {
  let html = `${HTML_PAGE_BREAK}<section class="page" id="page-${page}" data-page="${page}">\n`;
  let pre: string[] = [];
  const flushPre = () => {
    if (pre.length) html += `<pre>${pre.join('\n')}</pre>\n`;
    pre = [];
  };
  for (const item of items) {
    if (item.kind === 'paragraph' && item.mono) {
      pre.push(item.runs.map((r) => escHtml(r.text)).join(''));
      continue;
    }
    flushPre();
    if (item.kind === 'image') {
      text(html);
      html = '';
      image(item.image);
    } else if (item.kind === 'table') html += tableHtml(item.table);
    else {
      const tag = item.size ? headingToken(item.size) : 'p';
      html += `<${tag}>${runsHtml(item.runs)}</${tag}>\n`;
    }
  }
  flushPre();
  text(`${html}</section>\n`);
}

function runsHtml(list: Run[]): string {
  let out = '';
  for (const r of list) {
    let s = escHtml(r.text);
    if (r.mono) s = `<code>${s}</code>`;
    if (r.italic) s = `<i>${s}</i>`;
    if (r.bold) s = `<b>${s}</b>`;
    out += s;
  }
  return out;
}

function tableHtml(t: Table): string {
  let html = '<table>\n';
  for (const cells of cellsByRow(t.ys.length - 1, t.cells)) {
    if (!cells.length) continue;
    html += '<tr>';
    for (const c of cells) {
      const span = `${c.colSpan > 1 ? ` colspan="${c.colSpan}"` : ''}${c.rowSpan > 1 ? ` rowspan="${c.rowSpan}"` : ''}`;
      html += `<td${span}>${runsHtml(cellRuns(c.lines))}</td>`;
    }
    html += '</tr>\n';
  }
  return `${html}</table>\n`;
}
