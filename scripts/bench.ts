/**
 * `npm run bench`: runs every scripts/bench-*.js (compiled) in turn, each in its own process,
 * passing the command-line arguments through. Each prints one JSON line per measurement.
 * Run a single one with: node dist/scripts/bench-queue.js (or bench-compress.js …).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BENCH; // e.g. BENCH=queue npm run bench
const scripts = readdirSync(here)
  .filter((f) => /^bench-.+\.js$/.test(f))
  .filter((f) => !only || f === `bench-${only}.js`)
  .sort();
let failed = 0;
for (const file of scripts) {
  process.stderr.write(`# ${file}\n`);
  const res = spawnSync(process.execPath, [path.join(here, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (res.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
