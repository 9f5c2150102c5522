import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { cliOutcome, HELP } from '../src/cli.js';
import { moduleExt, projectRoot } from '../src/paths.js';
import { version } from '../src/version.js';

t.test('flags mirror the environment variables', async (t) => {
  const r = cliOutcome(['--port', '8080', '--host', '127.0.0.1', '--data-dir', '/d', '--upload-dir', '/u', '--workers', '2'], { PORT: '1', KEEP: 'x' });
  t.ok('env' in r);
  if ('env' in r) t.match(r.env, { PORT: '8080', HOST: '127.0.0.1', DATA_DIR: '/d', UPLOAD_DIR: '/u', WORKER_THREADS: '2', KEEP: 'x' });
  t.same(cliOutcome(['-h'], {}), { exit: 0, output: HELP });
  t.same(cliOutcome(['--version'], {}), { exit: 0, output: `${version}\n` });
  const bad = cliOutcome(['--prot', '1'], {});
  t.match(bad, { exit: 2, output: /Unknown option '--prot'.*\n.*--help/s });
});

t.test('the command runs', async (t) => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [...(moduleExt === '.js' ? [path.join(projectRoot, 'dist/src/cli.js')] : [...process.execArgv, path.join(projectRoot, 'src/cli.ts')]), ...args], { encoding: 'utf8', cwd: projectRoot });
  const v = run(['--version']);
  t.equal(v.status, 0);
  t.equal(v.stdout.trim(), version);
  const h = run(['--help']);
  t.match(h.stdout, /Usage: pdf-smaller \[serve\] \[options\]/);
  t.match(h.stdout, /compress +make PDFs smaller/, 'the work commands are listed');
  const bad = run(['--nope']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /Unknown option/);
  const badPort = run(['--port', 'x']);
  t.equal(badPort.status, 1);
  t.match(badPort.stderr, /PORT="x" is not valid/);
});
