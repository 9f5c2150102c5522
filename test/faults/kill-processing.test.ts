import path from 'node:path';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { tempDir } from '../helpers/app.js';
import { envFor, expectUploads, kill9, tree, pollWhileDownloading, readJob, startNode, statusCounts, stop, tryDownload, until } from '../helpers/fault-kit.js';
import { manyPagesPdf } from '../helpers/many-pages.js';
import { pollJob, postFile } from '../helpers/server-process.js';

// ~3 s of compression on one thread: long enough to be killed mid-run every time.
const PAGES = 1000;

async function submit(url: string): Promise<string> {
  const res = await postFile(`${url}/api/compress`, { compressionLevel: 'low' }, { name: 'long.pdf', data: manyPagesPdf(PAGES) });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { job_id: string }).job_id;
}

/** Waits until the job's run has made its scratch folder and returns that run's lease. */
async function runningLease(uploads: string, id: string): Promise<string> {
  return until('the run started (scratch folder made)', async () => {
    // The run's folder, not a file in it: a compression may write nothing until its result.
    const f = (await tree(path.join(uploads, 'processing', id))).find(Boolean);
    return f?.split('/')[0];
  });
}

t.test('SIGKILL while a compression runs: rescued after restart, completed once, old scratch swept', async (t) => {
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const first = await startNode(t, envFor(dir));
  const id = await submit(first.url);
  const deadLease = await runningLease(uploads, id);
  await kill9(first);
  t.equal((await readJob(dir, id))?.status, 'processing', 'the dead process left it processing');

  const second = await startNode(t, envFor(dir));
  // Until the job completes again, every download is a coded refusal, never a partial file.
  const { job, refusals, bad } = await pollWhileDownloading(second.url, id);
  t.same(bad, [], 'no download answered with a file or a 5xx before completion');
  t.ok(refusals.includes('JOB_NOT_READY'), `downloads were refused with a code (${refusals.join(', ')})`);
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  t.equal(job.attempts, 2, 'the killed run counted; the second completed');
  t.equal((await statusCounts(dir)).processing, 0, 'nothing left processing');

  const dl = await tryDownload(second.url, id);
  t.equal(dl.status, 200);
  t.ok(dl.complete, 'the body is as long as Content-Length says');
  t.equal((await PDFDocument.load(new Uint8Array(dl.body!))).getPageCount(), PAGES, 'the download is a whole, valid PDF');

  // The dead run's scratch goes at the next sweep; what remains is the completed result only.
  const row = await readJob(dir, id);
  const lease = (JSON.parse(row!.output!) as { lease: string }).lease;
  t.not(lease, deadLease);
  await expectUploads(t, uploads, [`results/${id}/${lease}/compressed.pdf`], 'only the result left in uploads/');
  t.equal(await stop(second), 0);
});

t.test('SIGKILL on the last attempt: the job fails JOB_INTERRUPTED and its files go', async (t) => {
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const env = envFor(dir, { JOB_MAX_ATTEMPTS: '1' });
  const first = await startNode(t, env);
  const id = await submit(first.url);
  await runningLease(uploads, id);
  await kill9(first);

  const second = await startNode(t, env);
  const job = await pollJob(second.url, id, (j) => ['completed', 'failed'].includes(j.status), 30_000);
  t.equal(job.status, 'failed');
  t.equal(job.error?.code, 'JOB_INTERRUPTED');
  const dl = await tryDownload(second.url, id);
  t.same([dl.status, dl.code], [409, 'JOB_FAILED'], 'a coded refusal, no file');
  await expectUploads(t, uploads, [], 'inputs and scratch removed');
  t.equal(await stop(second), 0);
});
