import path from 'node:path';
import t from 'tap';
import { tempDir } from '../helpers/app.js';
import { envFor, filesUnder, kill9, startNode, statusCounts, stop, until } from '../helpers/fault-kit.js';
import { textPdf } from '../helpers/fixtures.js';
import { pollJob, postFile } from '../helpers/server-process.js';
import { slowUpload } from '../helpers/slow-upload.js';

t.test('SIGKILL during an upload: no job, and the partial upload is swept after restart', async (t) => {
  const dir = tempDir(t);
  const uploads = path.join(dir, 'uploads');
  const first = await startNode(t, envFor(dir));
  const upload = slowUpload(`${first.url}/api/compress`, { total: 64 * 1024 * 1024, everyMs: 5 });
  // Kill once the server has written part of the body to its staging folder.
  const partial = await until('part of the upload on disk', async () => (await filesUnder(uploads)).find((f) => f.startsWith('temp/.incoming/')));
  await kill9(first);
  const cut = await upload.done;
  t.ok(cut.error, `the client saw the connection drop (${cut.error?.message})`);
  t.ok(upload.sent < 64 * 1024 * 1024, 'killed mid-body');
  t.equal(Object.values(await statusCounts(dir)).reduce((a, b) => a + b, 0), 0, 'no job row was created for the cut upload');
  t.ok((await filesUnder(uploads)).includes(partial), 'the dead process left its partial upload behind');

  // The partial upload's folder is named for the killed process: the restarted server's first
  // sweep (at boot) sees that process is gone and removes it, with no grace period to wait out.
  const second = await startNode(t, envFor(dir));
  await until('the partial upload swept', async () => !(await filesUnder(uploads)).includes(partial), 10_000);
  t.same(await filesUnder(uploads), [], 'no file left in uploads/ after the sweep');

  // The restarted server works: a client that gives up mid-upload leaves nothing either.
  const quitter = slowUpload(`${second.url}/api/compress`, { total: 64 * 1024 * 1024, everyMs: 5 });
  await until('the second upload on disk', async () => (await filesUnder(uploads)).some((f) => f.startsWith('temp/.incoming/')));
  quitter.abort();
  await quitter.done;
  await until('the aborted upload removed at once (no grace needed)', async () => (await filesUnder(uploads)).length === 0, 10_000);

  const res = await postFile(`${second.url}/api/compress`, { compressionLevel: 'low' }, { name: 'after.pdf', data: await textPdf(1) });
  t.equal(res.status, 202);
  const { job_id } = (await res.json()) as { job_id: string };
  const job = await pollJob(second.url, job_id, (j) => ['completed', 'failed'].includes(j.status));
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  t.equal(await stop(second), 0);
});
