import type { Readable } from 'node:stream';
import yazl from 'yazl';

export interface ZipEntry {
  /** Name inside the archive: already safe and unique (see uniqueNames). */
  name: string;
  size: number;
  /** Opened only when the archive reaches this entry: one file (or bucket object) open at a time. */
  open(): Promise<Readable>;
}

/**
 * A zip of result files as a stream, written while it is read (yazl): nothing is built in
 * memory or on disk. Entries are stored, not deflated: they are PDFs or images whose streams
 * are already compressed, so deflate would spend CPU to save ~1 %. Stored entries with known
 * sizes also let yazl compute the exact archive size up front, for Content-Length. Every
 * entry is dated `mtime` (the job's end), so the same result is the same bytes whenever it
 * is downloaded or exported.
 */
export function zipStream(entries: ZipEntry[], mtime: Date): Promise<{ stream: Readable; size: number | undefined }> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    zip.addReadStreamLazy(e.name, { compress: false, size: e.size, mtime }, (done) => {
      e.open().then((s) => done(null, s), (err: Error) => done(err, undefined as unknown as Readable));
    });
  }
  // @types/yazl omits the callback's argument: yazl passes the total size, or -1 if unknown.
  const end = zip.end.bind(zip) as unknown as (options: object, done: (size: number) => void) => void;
  return new Promise((resolve) => {
    end({}, (size) => resolve({ stream: zip.outputStream as Readable, size: size >= 0 ? size : undefined }));
  });
}

/**
 * Names made unique the way desktops do it: a.pdf, a (2).pdf, a (3).pdf. The comparison is
 * case-insensitive, since a zip extracted on Windows or macOS would merge A.pdf and a.pdf.
 */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const dot = name.lastIndexOf('.');
    const [base, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base} (${n})${ext}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
