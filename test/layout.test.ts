import { readdirSync } from 'node:fs';
import path from 'node:path';
import madge from 'madge';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { defaultHandlers } from '../src/jobs/index.js';
import { projectRoot } from '../src/paths.js';

/** The layout rules of docs/ARCHITECTURE.md, checked so they stay true. */

t.test('no import cycles in src/, workers/ or scripts/ (type imports included)', async (t) => {
  const graph = await madge(['src', 'workers', 'scripts'].map((d) => path.join(projectRoot, d)), {
    baseDir: projectRoot,
    fileExtensions: ['ts'],
    tsConfig: path.join(projectRoot, 'tsconfig.json'),
  });
  t.same(graph.circular(), []);
});

t.test('src/jobs/ holds one file per job type, the contract and the registry, nothing else', async (t) => {
  const files = readdirSync(path.join(projectRoot, 'src', 'jobs')).filter((f) => f.endsWith('.ts'));
  const types = Object.keys(defaultHandlers(loadConfig({}))).map((type) => `${type.replace(/_/g, '-')}.ts`);
  t.same(files.sort(), [...types, 'noop.ts', 'types.ts', 'index.ts'].sort());
});
