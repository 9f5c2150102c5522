import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import t, { type Test } from 'tap';
import { PDFDocument } from 'pdf-lib';
import { tempDir } from '../helpers/app.js';
import { envFor, expectUploads, filesUnder, readJob, startNode, stop, tryDownload } from '../helpers/fault-kit.js';
import { textPdf } from '../helpers/fixtures.js';
import { manyPagesPdf } from '../helpers/many-pages.js';
import { pollJob, postFile } from '../helpers/server-process.js';
import { slowUpload } from '../helpers/slow-upload.js';

/**
 * A real full disk: UPLOAD_DIR is a 5 MB tmpfs (needs root or CAP_SYS_ADMIN; skipped, and says
 * so, where mounting is not permitted). The database stays on the normal disk, as it would on a
 * server whose upload volume fills up. MIN_FREE_DISK_MB=0 so uploads are let in.
 */
function mountTmpfs(t: Test, dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return `cannot mount a tmpfs here (${String((err as { stderr?: Buffer }).stderr ?? err).trim().slice(0, 200)})`;
  }
  // Unmounted before tempDir's teardown removes the folder (teardowns run in reverse order).
  t.teardown(() => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  return undefined;
}

const usedBytes = async (dir: string) => {
  const s = await statfs(dir);
  return (s.blocks - s.bfree) * s.bsize;
};

t.test('a full disk while writing a result fails the job with a code, leaves no partial result, and the next job runs', async (t) => {
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const skip = mountTmpfs(t, uploads, '5m');
  if (skip) {
    t.pass('a full disk', { skip });
    return;
  }
  const server = await startNode(t, envFor(dir, { MIN_FREE_DISK_MB: '0', CLEANUP_INTERVAL_S: '60' }));
  const baseline = await usedBytes(uploads);

  // ~12 MB of page images into a 5 MB disk.
  const res = await postFile(`${server.url}/api/convert`, { format: 'images', options: JSON.stringify({ dpi: 150 }) }, { name: 'pages.pdf', data: manyPagesPdf(60) });
  t.equal(res.status, 202);
  const { job_id: id } = (await res.json()) as { job_id: string };
  const job = await pollJob(server.url, id, (j) => ['completed', 'failed'].includes(j.status), 60_000);
  t.equal(job.status, 'failed');
  t.equal(job.error?.code, 'INSUFFICIENT_STORAGE', JSON.stringify(job.error));
  t.notMatch(job.error?.message ?? '', /\/|ENOSPC/, 'the message names no path or errno');
  t.equal(job.attempts, 1, 'not retried into the same full disk');
  const dl = await tryDownload(server.url, id);
  t.same([dl.status, dl.code], [409, 'JOB_FAILED'], 'no result to download');
  t.same(await filesUnder(uploads), [], 'no partial result, scratch or input left');
  t.ok((await usedBytes(uploads)) - baseline < 64 * 1024, 'the space is given back');
  t.equal((await readJob(dir, id))?.status, 'failed');

  // An upload larger than the free space: a coded 507, nothing kept.
  const big = slowUpload(`${server.url}/api/compress`, { total: 8 * 1024 * 1024, chunk: 256 * 1024, everyMs: 1 });
  const refused = await big.done;
  t.equal(refused.status, 507, refused.body ?? refused.error?.message ?? '');
  t.match(JSON.parse(refused.body ?? '{}'), { success: false, error: { code: 'INSUFFICIENT_STORAGE' } });
  await expectUploads(t, uploads, [], 'the refused upload removed', 5000);

  // The server goes on: a job that fits completes.
  const ok = await postFile(`${server.url}/api/compress`, { compressionLevel: 'low' }, { name: 'small.pdf', data: await textPdf(2) });
  const { job_id } = (await ok.json()) as { job_id: string };
  const done = await pollJob(server.url, job_id, (j) => ['completed', 'failed'].includes(j.status), 30_000);
  t.equal(done.status, 'completed', JSON.stringify(done.error ?? {}));
  const pdf = await PDFDocument.load(new Uint8Array(await (await fetch(`${server.url}${done.download_url}`)).arrayBuffer()));
  t.equal(pdf.getPageCount(), 2);
  t.equal(await stop(server), 0);
});
