import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PackageLicence {
  name: string;
  version: string;
  licence: string;
}

/**
 * The packages a production install holds (package-lock.json's entries not marked dev), with
 * the licence their own package.json declares (`license`, or the old `licenses` list), sorted
 * by name. Read by scripts/gen-notices.ts and by its test.
 */
export function productionPackages(root: string): PackageLicence[] {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; license?: string; dev?: boolean; devOptional?: boolean }>;
  };
  const out = new Map<string, PackageLicence>();
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (!where || entry.dev || entry.devOptional) continue;
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const version = entry.version ?? '';
    out.set(`${name}@${version}`, { name, version, licence: entry.license ?? declared(path.join(root, where)) });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

function declared(dir: string): string {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return 'see the package';
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { license?: unknown; licenses?: { type?: string }[] };
  if (typeof pkg.license === 'string') return pkg.license;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type).filter(Boolean).join(' OR ') || 'see the package';
  return 'not declared (see the package)';
}
