import path from 'node:path';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { tempDir } from '../helpers/app.js';
import { enqueueNoop, envFor, filesUnder, readJob, startNode, statusCounts, stop, until } from '../helpers/fault-kit.js';
import { textPdf } from '../helpers/fixtures.js';
import { pollJob, postFile } from '../helpers/server-process.js';

t.test('a worker thread that dies fails its own job only; the job beside it and the next one go on', async (t) => {
  const dir = tempDir(t);
  const server = await startNode(t, envFor(dir, { WORKER_THREADS: '2' }));
  const final = (j: Record<string, any>) => ['completed', 'failed'].includes(j.status);

  // A job runs on the other thread while one thread dies, twice (the crash is retried once).
  const beside = await enqueueNoop(dir, { delayMs: 2500, echo: 'beside' });
  await pollJob(server.url, beside, (j) => j.status === 'processing');
  const crash = await enqueueNoop(dir, { crash: true }, 2);

  const crashed = await pollJob(server.url, crash, final, 30_000);
  t.equal(crashed.status, 'failed');
  t.equal(crashed.error?.code, 'WORKER_CRASHED');
  t.equal(crashed.attempts, 2, 'retried once (a thread death may be transient), then failed for good');
  t.notMatch(JSON.stringify(crashed.error), /\/|at \w+ \(/, 'no path or stack in the job error');

  const other = await pollJob(server.url, beside, final, 30_000);
  t.equal(other.status, 'completed', 'the job on the surviving thread completed');
  t.equal(other.attempts, 1, 'and was not disturbed (one run)');
  t.match(other.result, { echo: 'beside', thread: Number });

  // The pool replaced the dead thread: a real job runs, and the process is healthy.
  const res = await postFile(`${server.url}/api/compress`, { compressionLevel: 'low' }, { name: 'next.pdf', data: await textPdf(2) });
  const { job_id } = (await res.json()) as { job_id: string };
  const next = await pollJob(server.url, job_id, final, 30_000);
  t.equal(next.status, 'completed', JSON.stringify(next.error ?? {}));
  const pdf = await PDFDocument.load(new Uint8Array(await (await fetch(`${server.url}${next.download_url}`)).arrayBuffer()));
  t.equal(pdf.getPageCount(), 2);
  const health = await fetch(`${server.url}/api/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'healthy', workers: { threads: 2, alive: true } });

  t.equal((await statusCounts(dir)).processing, 0);
  t.equal((await readJob(dir, crash))?.status, 'failed');
  // The failed jobs left nothing; the completed one only its result.
  await until('only the result left', async () => (await filesUnder(path.join(dir, 'uploads'))).every((f) => f.startsWith(`results/${job_id}/`)), 10_000);
  t.equal(await stop(server), 0);
});
