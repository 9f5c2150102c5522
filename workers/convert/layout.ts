import type { Item, Line, PageData, PageItems, Run } from './types.js';

/** A line opening with a bullet or an enumerator starts a new paragraph. */
const LIST_START = /^\s*(?:[•◦▪‣∙·●○■□➢►✓*–—-]\s|\(?(?:\d{1,3}|[a-zA-Z]|[ivxlc]{1,5})[.)]\s)/;
/** Paragraphs longer than this are body text set large, not headings. */
const MAX_HEADING_CHARS = 200;

interface Para {
  lines: Line[];
}

/**
 * One page's lines, tables and images → items in reading order (MuPDF's block order), with
 * lines re-flowed into paragraphs. A paragraph ends where the block ends, the font size
 * changes by a tenth, the spacing opens up, a list item or an indented first line begins,
 * or the previous line stopped short although the next line's first word would have fit
 * (it ended by choice, not by wrapping). Monospaced lines (code) stay one per paragraph,
 * their indentation kept. Short paragraphs carry their size: heading or not is decided
 * once the sizes of the whole document are known (style.ts).
 */
export function layoutPage(data: PageData): PageItems {
  const blockRight = new Map<number, number>();
  const blockLeft = new Map<number, number>();
  for (const l of data.lines) {
    blockRight.set(l.block, Math.max(blockRight.get(l.block) ?? -Infinity, l.x1));
    blockLeft.set(l.block, Math.min(blockLeft.get(l.block) ?? Infinity, l.x0));
  }
  const items: Item[] = [];
  const tablesDone = new Set<number>();
  let para: Para | undefined;
  const flush = () => {
    if (para) items.push(toParagraph(para, blockLeft.get(para.lines[0]!.block) ?? 0));
    para = undefined;
  };
  const images = [...data.images].sort((a, b) => a.block - b.block);
  let nextImage = 0;
  for (const line of data.lines) {
    while (nextImage < images.length && images[nextImage]!.block < line.block) {
      flush();
      items.push({ kind: 'image', image: images[nextImage++]! });
    }
    if (line.table !== undefined) {
      flush();
      const table = data.tables[line.table];
      if (table && !tablesDone.has(line.table)) items.push({ kind: 'table', table });
      tablesDone.add(line.table);
      continue;
    }
    const prev = para?.lines[para.lines.length - 1];
    if (!para || !prev || breaksBefore(para, prev, line, blockRight.get(line.block) ?? line.x1)) {
      flush();
      para = { lines: [line] };
    } else para.lines.push(line);
  }
  flush();
  while (nextImage < images.length) items.push({ kind: 'image', image: images[nextImage++]! });
  data.tables.forEach((table, i) => {
    if (!tablesDone.has(i)) items.push({ kind: 'table', table });
  });
  return { page: data.page, width: data.width, height: data.height, items };
}

function breaksBefore(para: Para, prev: Line, line: Line, right: number): boolean {
  if (line.block !== prev.block || line.mono || prev.mono) return true;
  const size = Math.max(prev.size, line.size);
  // A size change of a tenth is a new paragraph (a heading and its text, a caption); the
  // heading level itself is decided once the whole document's sizes are known (style.ts).
  if (Math.abs(prev.size - line.size) > 0.1 * size) return true;
  const step = line.baseline - prev.baseline;
  if (step > 1.7 * size || step < 0.5 * size) return true; // a gap, or a jump up (next column)
  if (LIST_START.test(line.text)) return true;
  if (para.lines.length > 1 && line.x0 > prev.x0 + size) return true;
  // Did the previous line stop although the next line's first word would have fit after it?
  const first = /^\s*(\S+)/.exec(line.text)?.[1] ?? '';
  const charWidth = (line.x1 - line.x0) / Math.max(1, line.text.length);
  return prev.x1 + (first.length + 1) * charWidth < right - 0.5 * size;
}

function toParagraph(para: Para, left: number): Item {
  const mono = para.lines.every((l) => l.mono);
  const runs: Run[] = [];
  para.lines.forEach((line, i) => {
    if (i > 0) joinLines(runs, line.text);
    if (mono && i === 0) {
      // Code keeps its indentation: one space per monospaced character width.
      const indent = Math.round((line.x0 - left) / (0.6 * line.size));
      if (indent > 0 && indent < 80) runs.push({ text: ' '.repeat(indent), size: line.size, bold: false, italic: false, mono: true });
    }
    line.spans.forEach((s, j) => {
      const text = j === 0 && !mono ? s.text.trimStart() : s.text;
      push(runs, { text, size: s.size, bold: s.bold, italic: s.italic, mono: s.mono });
    });
    trimEnd(runs);
  });
  const chars = runs.reduce((n, r) => n + r.text.length, 0);
  const weighted = runs.reduce((n, r) => n + r.text.length * r.size, 0) / Math.max(1, chars);
  const candidate = !mono && chars <= MAX_HEADING_CHARS && para.lines.length <= 3;
  return { kind: 'paragraph', size: candidate ? Math.round(weighted * 2) / 2 : 0, mono, runs };
}

/** Runs of the lines of a table cell, joined like a paragraph's lines. */
export function cellRuns(lines: Line[]): Run[] {
  const runs: Run[] = [];
  lines.forEach((line, i) => {
    if (i > 0) joinLines(runs, line.text);
    for (const s of line.spans) push(runs, { text: i === 0 && s === line.spans[0] ? s.text.trimStart() : s.text, size: s.size, bold: s.bold, italic: s.italic, mono: s.mono });
    trimEnd(runs);
  });
  return runs;
}

/** Between two lines: nothing after a hyphenated word part ("docu-" + "ment"), else a space. */
function joinLines(runs: Run[], next: string): void {
  const last = runs[runs.length - 1];
  if (!last) return;
  if (/\p{L}-$/u.test(last.text) && /^\p{Ll}/u.test(next)) return;
  last.text += ' ';
}

function push(runs: Run[], run: Run): void {
  if (!run.text) return;
  const last = runs[runs.length - 1];
  if (last && last.bold === run.bold && last.italic === run.italic && last.mono === run.mono && Math.abs(last.size - run.size) < 0.25) last.text += run.text;
  else runs.push(run);
}

/** Native trimEnd scans from the end; a /\s+$/ regex rescans the whole growing run per line. */
function trimEnd(runs: Run[]): void {
  const last = runs[runs.length - 1];
  if (last) last.text = last.text.trimEnd();
}
