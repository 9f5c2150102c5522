import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { envFor, expectUploads, filesUnder, kill9, pollWhileDownloading, readJob, sizeOf, startNode, statusCounts, stop, tryDownload, until } from '../helpers/fault-kit.js';
import { manyPagesPdf } from '../helpers/many-pages.js';
import { postFile } from '../helpers/server-process.js';
import { readZip } from '../helpers/zip.js';

// Page images streamed into one zip in the run's scratch folder: ~12 MB written over ~4 s on
// one thread, so the kill lands while the result file is half written.
const PAGES = 60;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

t.test('SIGKILL while the result is being written: the half-written file is never served or kept', async (t) => {
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const first = await startNode(t, envFor(dir));
  const res = await postFile(`${first.url}/api/convert`, { format: 'images', options: JSON.stringify({ dpi: 150 }) }, { name: 'pages.pdf', data: manyPagesPdf(PAGES) });
  t.equal(res.status, 202);
  const { job_id: id } = (await res.json()) as { job_id: string };

  const partial = await until('the result zip half written', async () => {
    const zip = (await filesUnder(path.join(uploads, 'processing', id))).find((f) => f.endsWith('/converted.zip'));
    return zip && (await sizeOf(path.join(uploads, 'processing', id, zip))) > 512 * 1024 ? zip : undefined;
  });
  await kill9(first);
  const [deadLease] = partial.split('/');
  const cutSize = await sizeOf(path.join(uploads, 'processing', id, partial));
  t.ok(cutSize > 0, `killed with ${cutSize} bytes of the zip written`);
  t.equal((await readJob(dir, id))?.status, 'processing');

  const second = await startNode(t, envFor(dir));
  const { job, refusals, bad } = await pollWhileDownloading(second.url, id);
  t.same(bad, [], 'no download answered with a file or a 5xx before completion');
  t.ok(refusals.length > 0 && refusals.every((c) => c === 'JOB_NOT_READY'), `refused with JOB_NOT_READY (${refusals.join(', ')})`);
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  t.equal(job.attempts, 2);
  t.equal((await statusCounts(dir)).processing, 0, 'nothing left processing');

  const dl = await tryDownload(second.url, id);
  t.equal(dl.status, 200);
  t.ok(dl.complete, 'the body is as long as Content-Length says');
  t.ok(dl.body!.length > cutSize, 'larger than what the killed run had written');
  const entries = await readZip(dl.body!);
  t.equal(entries.size, PAGES, 'one image per page');
  t.ok([...entries.values()].every((png) => png.subarray(0, 8).equals(PNG)), 'every entry is a PNG');

  const row = await readJob(dir, id);
  const lease = (JSON.parse(row!.output!) as { lease: string }).lease;
  t.not(lease, deadLease);
  await expectUploads(t, uploads, [`results/${id}/${lease}/converted.zip`], 'only the result left in uploads/');
  t.equal(await stop(second), 0);
});

t.test('SIGKILL between the result rename and the completion write: the orphaned result is never served and is swept', async (t) => {
  // That window is a rename and one UPDATE apart, too narrow to hit with a signal: the state it
  // leaves is made by hand instead. The run is killed mid-write, then its scratch folder is
  // moved to results/<job>/<lease>/ as Storage.commitResults would have done, while the row
  // still says processing under that lease.
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const first = await startNode(t, envFor(dir));
  const res = await postFile(`${first.url}/api/convert`, { format: 'images', options: JSON.stringify({ dpi: 150 }) }, { name: 'pages.pdf', data: manyPagesPdf(PAGES) });
  const { job_id: id } = (await res.json()) as { job_id: string };
  const partial = await until('the result zip half written', async () => {
    const zip = (await filesUnder(path.join(uploads, 'processing', id))).find((f) => f.endsWith('/converted.zip'));
    return zip && (await sizeOf(path.join(uploads, 'processing', id, zip))) > 0 ? zip : undefined;
  });
  await kill9(first);
  const [deadLease] = partial.split('/') as [string];
  await mkdir(path.join(uploads, 'results', id), { recursive: true });
  await rename(path.join(uploads, 'processing', id, deadLease), path.join(uploads, 'results', id, deadLease));

  const second = await startNode(t, envFor(dir));
  const { job, bad } = await pollWhileDownloading(second.url, id);
  t.same(bad, [], 'the orphaned result was never served');
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  const dl = await tryDownload(second.url, id);
  t.ok(dl.complete);
  t.equal((await readZip(dl.body!)).size, PAGES, 'the download is the new run\'s whole zip');
  const lease = (JSON.parse((await readJob(dir, id))!.output!) as { lease: string }).lease;
  await expectUploads(t, uploads, [`results/${id}/${lease}/converted.zip`], 'the orphaned result swept');
  t.equal(await stop(second), 0);
});
