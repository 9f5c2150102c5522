/**
 * A cheap look at a page's orientation before it is read (issue 19): whether its text lines
 * seem to run sideways or upside down, from the dark pixels of the 150-dpi render alone
 * (~10–20 ms on an A4 page). It only decides whether Tesseract's orientation detection (OSD,
 * ~1 s) runs before the first read rather than after a read that came out garbled; OSD
 * decides the turn, so a wrong hint costs time, never the result's correctness.
 *
 * - Sideways: Latin text lines are separated by empty rows of pixels, while the gaps
 *   between words do not line up from one line to the next. Inside the ink's bounding box,
 *   a page with clearly more empty columns than empty rows has its lines running up or down.
 * - Upside down: most text is set flush left with a ragged right edge (letters, reports,
 *   forms); turned by 180° the ragged edge is on the left. Lines whose ends line up while
 *   their starts do not say the page is upside down; justified or centred text says
 *   nothing, and is left to the read-then-detect path.
 */
export interface OrientationHint {
  turned: boolean;
  /** Share of empty rows and columns inside the ink's box. */
  emptyRows: number;
  emptyCols: number;
  /** Text lines found, and the shares of them whose starts and whose ends line up. */
  lines: number;
  startsAligned: number;
  endsAligned: number;
}

/** A row or column counts as empty below this many dark pixels. */
const EMPTY = 1;
/**
 * Sideways: at least this share of empty columns, and twice the share of empty rows. Measured
 * at 150 dpi on the test pages: upright 0.59–0.65 empty rows and ≤ 0.02 empty columns, the
 * same reversed on their side; skewed by 3–5° ≤ 0.38 rows and ≤ 0.02 columns.
 */
const SIDEWAYS_EMPTY = 0.1;
/** The ink's box must be at least this many pixels (an inch at 150 dpi) both ways. */
const MIN_BOX = 150;
/** At least this many text lines before their starts and ends say anything. */
const MIN_LINES = 3;
/** Line ends within this many pixels (at 150 dpi, ~0.5 mm) of the median line up. */
const ALIGN_PX = 3;
/**
 * Ends must line up for this much larger a share of lines than starts. Measured: flush-left
 * pages upright 1 of starts and 0.05–0.25 of ends, the reverse upside down; skewed pages
 * ≤ 0.5 of either.
 */
const FLIP_MARGIN = 0.3;

export function orientationHint(gray: Uint8Array | Uint8ClampedArray, width: number, height: number): OrientationHint {
  const rows = new Uint32Array(height);
  const cols = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    let n = 0;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (gray[i]! < 128) {
        n++;
        cols[x]!++;
      }
    }
    rows[y] = n;
  }
  const box = (p: Uint32Array) => {
    let a = 0;
    while (a < p.length && p[a]! < EMPTY) a++;
    let b = p.length - 1;
    while (b > a && p[b]! < EMPTY) b--;
    return [a, b] as const;
  };
  const [y0, y1] = box(rows);
  const [x0, x1] = box(cols);
  const none: OrientationHint = { turned: false, emptyRows: 0, emptyCols: 0, lines: 0, startsAligned: 0, endsAligned: 0 };
  // Less ink than an inch each way (a word, a stamp) says nothing about lines.
  if (y1 - y0 < MIN_BOX || x1 - x0 < MIN_BOX) return none;
  const emptyShare = (p: Uint32Array, a: number, b: number) => {
    let e = 0;
    for (let i = a; i <= b; i++) if (p[i]! < EMPTY) e++;
    return e / (b - a + 1);
  };
  const emptyRows = emptyShare(rows, y0, y1);
  const emptyCols = emptyShare(cols, x0, x1);
  if (emptyCols >= SIDEWAYS_EMPTY && emptyCols > 2 * emptyRows) return { ...none, turned: true, emptyRows, emptyCols };
  // Text lines: runs of non-empty rows at least 4 pixels high; each one's first and last dark column.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let y = y0; y <= y1; ) {
    if (rows[y]! < EMPTY) {
      y++;
      continue;
    }
    let end = y;
    while (end <= y1 && rows[end]! >= EMPTY) end++;
    if (end - y >= 4) {
      let first = width;
      let last = -1;
      for (let r = y; r < end; r++) {
        const row = r * width;
        for (let x = 0; x < first; x++) if (gray[row + x]! < 128) first = x;
        for (let x = width - 1; x > last; x--) if (gray[row + x]! < 128) last = x;
      }
      starts.push(first);
      ends.push(last);
    }
    y = end;
  }
  const aligned = (v: number[]) => {
    const m = [...v].sort((a, b) => a - b)[v.length >> 1]!;
    return v.filter((x) => Math.abs(x - m) <= ALIGN_PX).length / v.length;
  };
  const lines = starts.length;
  if (lines < MIN_LINES) return { ...none, emptyRows, emptyCols, lines };
  const startsAligned = aligned(starts);
  const endsAligned = aligned(ends);
  return { turned: endsAligned >= startsAligned + FLIP_MARGIN, emptyRows, emptyCols, lines, startsAligned, endsAligned };
}
