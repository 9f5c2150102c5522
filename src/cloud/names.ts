import path from 'node:path';
import { safeFilename } from '../storage/filenames.js';

/**
 * Where an export lands, built from client input: every folder segment and the file name go
 * through safeFilename (no separators, no control characters, no leading dots, so no `..`),
 * empty segments disappear, and depth and length are capped, so the client names a place
 * under the target's root and nothing else.
 */
const MAX_DEPTH = 16;
const MAX_SEGMENT = 100;

export function folderSegments(folder: string | undefined): string[] {
  if (!folder) return [];
  return folder
    .split(/[\\/]+/)
    .map((s) => safeFilename(s, '', MAX_SEGMENT))
    .filter((s) => s !== '')
    .slice(0, MAX_DEPTH);
}

/** The client's name when given (the result's extension added when it has none), else the result's own. */
export function exportFilename(requested: string | undefined, fallback: string): string {
  const base = safeFilename(fallback, 'document.pdf');
  if (requested === undefined || requested.trim() === '') return base;
  const name = safeFilename(requested, base);
  return path.extname(name) ? name : name + path.extname(base);
}

/** Drive addresses folders by id (from its picker or API), not by path. */
export const DRIVE_FOLDER_ID = /^[A-Za-z0-9_-]{1,200}$/;
