/**
 * The command line against the server (issue 20): a folder of 20 PDFs compressed by
 * `pdf-smaller compress DIR -o OUT --threads 2` in-process, and the same 20 files as jobs of a
 * server process with WORKER_THREADS=2, measured in one run. Reports the wall-time ratio
 * (goal ≤ 1.1) and the command's start-up: process start to the first file beginning
 * (goal ≤ 0.5 s). Also checks that both gave the same bytes for every file.
 *
 * Run: npm run build && node dist/scripts/bench-cli.js [--files 20]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { textPdf } from '../test/helpers/fixtures.js';
import { photoPdf } from '../test/helpers/image-fixtures.js';
import { startServer } from './bench-load.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const FILES = arg('files', 20);
const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', 'src', 'cli.js');
const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'cli', ...o }) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(path.join(os.tmpdir(), 'pdfs-bench-cli-'));
try {
  const inputs = path.join(dir, 'in');
  mkdirSync(inputs);
  for (let i = 0; i < FILES; i++) {
    const pdf = i % 3 === 0 ? photoPdf(2, [1600, 1100]) : await textPdf(4 + (i % 5), { words: 220 });
    writeFileSync(path.join(inputs, `file-${String(i).padStart(2, '0')}.pdf`), pdf);
  }
  const names = Array.from({ length: FILES }, (_, i) => `file-${String(i).padStart(2, '0')}.pdf`);

  const t0 = performance.now();
  const run = spawnSync(process.execPath, [CLI, 'compress', inputs, '-o', path.join(dir, 'cli'), '--threads', '2', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const cliS = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`the command failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const report = JSON.parse(run.stdout) as { started_after_s: number };

  const server = await startServer({ WORKER_THREADS: '2' });
  let serverS: number;
  const same: boolean[] = [];
  try {
    const t1 = performance.now();
    const ids = await Promise.all(
      names.map(async (n) => {
        const form = new FormData();
        form.append('file', new Blob([readFileSync(path.join(inputs, n))]), n);
        const res = await fetch(`${server.url}/api/compress`, { method: 'POST', body: form });
        return ((await res.json()) as { job_id: string }).job_id;
      }),
    );
    const pending = new Set(ids);
    while (pending.size) {
      for (const id of [...pending]) {
        const job = (await (await fetch(`${server.url}/api/jobs/${id}`)).json()) as { status: string };
        if (job.status === 'completed' || job.status === 'failed') pending.delete(id);
      }
      await sleep(50);
    }
    serverS = (performance.now() - t1) / 1000;
    for (const [i, id] of ids.entries()) {
      const body = Buffer.from(await (await fetch(`${server.url}/api/jobs/${id}/download`)).arrayBuffer());
      same.push(body.equals(readFileSync(path.join(dir, 'cli', names[i]!))));
    }
  } finally {
    await server.stop();
  }
  emit({ metric: 'folder_wall_s', files: FILES, cli: Math.round(cliS * 100) / 100, server: Math.round(serverS * 100) / 100, ratio: Math.round((cliS / serverS) * 100) / 100, goal: '≤ 1.1' });
  emit({ metric: 'startup_s', value: report.started_after_s, goal: '≤ 0.5 before the first file begins' });
  emit({ metric: 'same_bytes_as_server', files: same.length, identical: same.filter(Boolean).length });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
