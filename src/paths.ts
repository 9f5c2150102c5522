import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root (the folder holding package.json). Code runs both from source (src/…,
 * under tap's TypeScript loader) and compiled (dist/src/…), so files shipped beside the
 * code, such as schema.sql, are found from here rather than from a fixed relative path.
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`package.json not found above ${start}`);
  }
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** `.ts` when running from source, `.js` when compiled: worker modules are loaded with the same. */
export const moduleExt = path.extname(fileURLToPath(import.meta.url));
