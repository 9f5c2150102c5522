import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { multipart, startApp, tempDir, waitForJob } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';
import { photoPdf } from '../helpers/image-fixtures.js';
import { cli } from '../helpers/cli.js';

t.test('compress: files and a folder, results beside them or in -o, a summary, exit codes', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'a.pdf'), await textPdf(2));
  mkdirSync(path.join(dir, 'docs'));
  writeFileSync(path.join(dir, 'docs', 'b.pdf'), await textPdf(3));
  writeFileSync(path.join(dir, 'docs', 'c.pdf'), photoPdf(1, [600, 400]));
  writeFileSync(path.join(dir, 'docs', 'notes.txt'), 'not taken from a folder');

  const one = await cli(['compress', 'a.pdf', '--level', 'low', '--threads', '2'], { cwd: dir });
  t.equal(one.code, 0, one.stderr);
  t.ok(existsSync(path.join(dir, 'a_compressed.pdf')), 'beside its input');
  t.match(one.stderr, /a\.pdf .*\n1 of 1 done/s, 'a summary table on stderr');

  const folder = await cli(['compress', 'docs', '-o', 'small', '--json'], { cwd: dir });
  t.equal(folder.code, 0, folder.stderr);
  t.same(readdirSync(path.join(dir, 'small')).sort(), ['b.pdf', 'c.pdf'], 'a folder of smaller PDFs under their own names');
  const report = JSON.parse(folder.stdout.toString());
  t.equal(report.exit_code, 0);
  t.same(report.files.map((f: { file: string }) => path.basename(f.file)), ['b.pdf', 'c.pdf']);
  for (const f of report.files) t.ok(f.output_bytes <= f.input_bytes && f.result.engine, `${f.file}: ${f.input_bytes} → ${f.output_bytes} (${f.result.engine})`);

  writeFileSync(path.join(dir, 'bad.pdf'), 'this is not a PDF');
  const mixed = await cli(['compress', 'a.pdf', 'bad.pdf', '-o', 'out'], { cwd: dir });
  t.equal(mixed.code, 3, 'some done, some failed');
  t.match(mixed.stderr, /pdf-smaller: bad\.pdf: INVALID_FILE_TYPE: /, 'one line naming the file and the code');
  const bad = await cli(['compress', 'bad.pdf'], { cwd: dir });
  t.equal(bad.code, 2, 'bad input');
  const usage = await cli(['compress', 'a.pdf', '--level', 'extreme'], { cwd: dir });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /INVALID_OPTIONS: compressionLevel="extreme" is not valid/);
  t.equal((await cli(['compress'], { cwd: dir })).code, 2, 'no input');
  t.equal((await cli(['compress', 'missing.pdf'], { cwd: dir })).code, 2);
  t.equal((await cli(['compress', 'a.pdf', '--bogus'], { cwd: dir })).code, 2);
  const over = await cli(['compress', 'docs', '-o', 'docs'], { cwd: dir });
  t.equal(over.code, 2, 'never writes over an input');
  t.match(over.stderr, /would overwrite its input/);
  const help = await cli(['compress', '--help'], { cwd: dir });
  t.equal(help.code, 0);
  t.match(help.stdout.toString(), /Usage: pdf-smaller compress FILES/);
  t.match(help.stdout.toString(), /Exit codes: 0/);
});

t.test('stdin to stdout, and the same bytes as the server for the same file and options', async (t) => {
  const dir = tempDir(t);
  const pdf = photoPdf(2, [900, 600]);
  writeFileSync(path.join(dir, 'p.pdf'), pdf);
  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  for (const level of ['low', 'medium', 'high'] as const) {
    const piped = await cli(['compress', '-', '-o', '-', '--level', level, '-q'], { cwd: dir, stdin: pdf });
    t.equal(piped.code, 0, piped.stderr);
    const form = await multipart({ compressionLevel: level }, [{ name: 'p.pdf', data: pdf }]);
    const submitted = await app.inject({ method: 'POST', url: '/api/compress', payload: form.payload, headers: form.headers });
    const job = await waitForJob(app, submitted.json().job_id, 120_000);
    const server = (await app.inject({ method: 'GET', url: job.download_url })).rawPayload;
    t.ok(piped.stdout.equals(server), `${level}: the CLI's ${piped.stdout.length} bytes are the server's ${server.length}`);
  }
});

t.test('--server sends the same work to a running server', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'a.pdf'), await textPdf(2));
  writeFileSync(path.join(dir, 'bad.pdf'), 'not a pdf');
  const { app } = await startApp(t, { API_KEYS: 'cli-key-0123456789' });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const remote = await cli(['compress', 'a.pdf', '--level', 'low', '-o', 'remote.pdf', '--server', base, '--api-key', 'cli-key-0123456789'], { cwd: dir });
  t.equal(remote.code, 0, remote.stderr);
  const local = await cli(['compress', 'a.pdf', '--level', 'low', '-o', 'local.pdf'], { cwd: dir });
  t.equal(local.code, 0, local.stderr);
  t.ok(readFileSync(path.join(dir, 'remote.pdf')).equals(readFileSync(path.join(dir, 'local.pdf'))), 'the same bytes');
  const refused = await cli(['compress', 'bad.pdf', '--server', base, '--api-key', 'cli-key-0123456789'], { cwd: dir });
  t.equal(refused.code, 2);
  t.match(refused.stderr, /bad\.pdf: INVALID_FILE_TYPE/);
  const noKey = await cli(['compress', 'a.pdf', '--server', base], { cwd: dir });
  t.equal(noKey.code, 2);
  t.match(noKey.stderr, /UNAUTHORIZED/);
});

t.test('convert and summarize run in-process too', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'r.pdf'), await textPdf(2, { words: 120 }));
  const conv = await cli(['convert', 'r.pdf', '--format', 'txt'], { cwd: dir });
  t.equal(conv.code, 0, conv.stderr);
  t.match(readFileSync(path.join(dir, 'r.txt'), 'utf8'), /\w+/);
  writeFileSync(path.join(dir, 'story.txt'), 'The river rose in the night. By morning the bridge was gone. The village met in the square to decide what to do. They chose to build a new bridge, higher than the old one.');
  const sum = await cli(['summarize', 'story.txt', '-q'], { cwd: dir, env: { AI_BASE_URL: '', OPENAI_API_KEY: '', OPENROUTER_API_KEY: '', AI_API_KEY: '' } });
  t.equal(sum.code, 0, sum.stderr);
  t.match(sum.stdout.toString(), /bridge/, 'the summary on stdout');
  const tr = await cli(['translate', 'story.txt', '--to', 'fr'], { cwd: dir, env: { AI_BASE_URL: '', OPENAI_API_KEY: '', OPENROUTER_API_KEY: '', AI_API_KEY: '' } });
  t.equal(tr.code, 1, 'no provider: AI_NOT_CONFIGURED (a 503: the server side is missing)');
  t.match(tr.stderr, /AI_NOT_CONFIGURED/);
});
