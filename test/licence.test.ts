import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { productionPackages } from '../src/licences.js';
import { projectRoot } from '../src/paths.js';

t.test('the project is AGPL-3.0-or-later, as the MuPDF it links requires', async (t) => {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { license: string };
  t.equal(pkg.license, 'AGPL-3.0-or-later');
  t.match(readFileSync(path.join(projectRoot, 'LICENSE'), 'utf8'), /^\s*GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3, 19 November 2007/);
  const mupdf = productionPackages(projectRoot).find((p) => p.name === 'mupdf');
  t.equal(mupdf?.licence, 'AGPL-3.0-or-later', 'the reason');
});

t.test('THIRD_PARTY_NOTICES.md lists every production package at its installed version', async (t) => {
  const notice = readFileSync(path.join(projectRoot, 'THIRD_PARTY_NOTICES.md'), 'utf8');
  const packages = productionPackages(projectRoot);
  t.ok(packages.length > 100);
  const missing = packages.filter((p) => !notice.includes(`| ${p.name} | ${p.version} | ${p.licence} |`)).map((p) => `${p.name}@${p.version}`);
  t.same(missing, [], 'regenerate with: npm run build && node dist/scripts/gen-notices.js');
});
