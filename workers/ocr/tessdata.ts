import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { installedLanguages, osdModel, OSD } from '../../src/ocr/languages.js';
import { TaskError } from '../task.js';

/**
 * One tessdata folder both engines read: the npm packages' `<code>.traineddata.gz`,
 * gunzipped once into the system temp folder (never the working directory). The `tesseract`
 * binary cannot read gzipped models, and tesseract.js takes one `langPath` for all languages
 * while each package has its own folder; a shared folder answers both. Gunzipping eng takes
 * ~40 ms; the folder name carries the packages' sizes and dates, so an upgrade gets a new one.
 *
 * Files appear by rename, so a file that exists is whole even when several threads (or
 * processes) race to create it.
 */
let folder: string | undefined;

function tessdataFolder(): string {
  if (folder) return folder;
  const langs = [...installedLanguages().values(), ...[osdModel()].filter((m) => m !== undefined)];
  const stamp = langs.map((l) => `${l.code}:${statSync(l.file).size}:${Math.round(statSync(l.file).mtimeMs)}`).join(',');
  let hash = 0;
  for (const ch of stamp) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) >>> 0;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  folder = path.join(os.tmpdir(), `pdf-smaller-tessdata-${uid}-${hash.toString(16)}`);
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  return folder;
}

/** The folder holding `<code>.traineddata` for every language asked for. */
export function ensureTessdata(langs: readonly string[]): string {
  const dir = tessdataFolder();
  for (const code of langs) {
    const lang = code === OSD ? osdModel() : installedLanguages().get(code);
    if (!lang) throw new TaskError(code === OSD ? 'PROCESSING_FAILED' : 'UNSUPPORTED_LANGUAGE', `OCR language "${code}" is not installed.`);
    const target = path.join(dir, `${code}.traineddata`);
    if (existsSync(target)) continue;
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, gunzipSync(readFileSync(lang.file)));
    renameSync(tmp, target);
  }
  return dir;
}
