import { readFile, writeFile } from 'node:fs/promises';
import type { Part } from './part.js';

/**
 * A part crosses threads as files in the job's work folder: JSON for the text and counts
 * (a few big strings: ~10 ms to write and read for 300 pages, where structured-cloning the
 * page model costs 0.4–0.7 s), and each image as its own file, so neither the main thread
 * nor a message holds them.
 */
export async function savePart(part: Part, file: string): Promise<void> {
  let n = 0;
  for (const seg of part.segments) {
    if (typeof seg === 'string' || !seg.data) continue;
    seg.file = `${file}-img${++n}.${seg.type}`;
    await writeFile(seg.file, seg.data);
    delete seg.data;
  }
  await writeFile(file, JSON.stringify(part));
}

export async function loadPart(file: string): Promise<Part> {
  return JSON.parse(await readFile(file, 'utf8')) as Part;
}
