// Writes THIRD_PARTY_NOTICES.md: every package `npm install` puts in production (the lockfile's
// non-dev packages) with its version and licence, read from its own package.json.
// Run: npm run build && node dist/scripts/gen-notices.js
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/paths.js';
import { productionPackages } from '../src/licences.js';

const packages = productionPackages(projectRoot);
const byLicence = new Map<string, number>();
for (const p of packages) byLicence.set(p.licence, (byLicence.get(p.licence) ?? 0) + 1);
const lines = [
  '# Third-party notices',
  '',
  'pdf-smaller is licensed under the GNU Affero General Public License, version 3 or later (see',
  '`LICENSE`), because it links MuPDF (`mupdf`, AGPL-3.0-or-later) into its own process. It installs',
  'the packages below in production (`npm install --omit=dev`); each keeps its own licence, and the',
  'full licence text of each is in its folder under `node_modules/`.',
  '',
  'Generated from `package-lock.json` by `scripts/gen-notices.ts`; a test keeps it in step.',
  '',
  '| licence | packages |',
  '|---|---|',
  ...[...byLicence].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l, n]) => `| ${l} | ${n} |`),
  '',
  '| package | version | licence |',
  '|---|---|---|',
  ...packages.map((p) => `| ${p.name} | ${p.version} | ${p.licence} |`),
  '',
];
writeFileSync(path.join(projectRoot, 'THIRD_PARTY_NOTICES.md'), lines.join('\n'));
