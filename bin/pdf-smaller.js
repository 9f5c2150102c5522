#!/usr/bin/env node
// The `pdf-smaller` command (package.json "bin"): runs the compiled CLI in dist/.
// `npm install` builds dist/ (the "prepare" script); from a bare checkout run `npm run build`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('pdf-smaller: the server is not built yet; run `npm run build` in its folder.\n');
  process.exit(1);
}
const { runCli } = await import(cli.href);
await runCli(process.argv.slice(2));
