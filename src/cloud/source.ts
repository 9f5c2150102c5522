import { open, type FileHandle } from 'node:fs/promises';

/**
 * The bytes being exported, read a chunk at a time from the result file: an upload holds at
 * most one chunk in memory whatever the file size, and a chunk can be read again when the
 * provider asks to resume from an earlier offset.
 */
export class FileSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    readonly contentType: string,
  ) {}

  static async open(path: string, contentType: string): Promise<FileSource> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      return new FileSource(fh, size, contentType);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Bytes [offset, offset + length), clipped to the file. */
  async read(offset: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - offset));
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.fh.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) throw new Error('the result file ended early');
      got += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
