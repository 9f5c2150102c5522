import { existsSync, readdirSync } from 'node:fs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { sweep } from '../../src/storage/cleanup.js';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { PG_URL, pgSchema } from '../helpers/db.js';
import { textPdf } from '../helpers/fixtures.js';
import { readZip } from '../helpers/zip.js';
import { startS3 } from '../cloud/setup.js';

t.test('PostgreSQL + bucket: inputs and results live in the bucket, local disk is scratch', async (t) => {
  const s3 = await startS3(t);
  const { app } = await startApp(t, { ...s3.env, DATABASE_URL: PG_URL, DATABASE_SCHEMA: pgSchema(t) }, { cleanup: false });
  t.equal(app.store.dialect, 'postgres');
  t.ok(app.storage.bucket, 'STORAGE=auto uses the bucket when S3_BUCKET is set');
  const keys = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  // One file.
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low' }, [{ name: 'a.pdf', data: await textPdf(2) }])) });
  t.equal(res.statusCode, 202, res.body);
  const id = res.json().job_id as string;
  const job = await waitForJob(app, id);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  // Inputs go right after the completion is written (poll: the job reads completed first).
  for (let i = 0; i < 100 && (await keys(`inputs/${id}/`)).length; i++) await new Promise((r) => setTimeout(r, 50));
  t.same(await keys(`inputs/${id}/`), [], 'inputs deleted from the bucket once the job completed');
  t.equal((await keys(`results/${id}/`)).length, 1, 'one result object');
  t.notOk(existsSync(app.storage.resultDir(id)), 'no local copy of the result');
  const dl = await app.inject({ method: 'GET', url: job.download_url });
  t.equal(dl.statusCode, 200);
  t.equal(Number(dl.headers['content-length']), job.result.compressed_size);
  t.equal((await PDFDocument.load(dl.rawPayload)).getPageCount(), 2);

  // Many files: the zip is streamed from bucket objects.
  const files = await Promise.all([1, 2, 3].map(async (n) => ({ field: 'files', name: `f${n}.pdf`, data: await textPdf(n) })));
  const bulkRes = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({ compressionLevel: 'low' }, files)) });
  const bulkJob = await waitForJob(app, bulkRes.json().job_id);
  t.equal(bulkJob.status, 'completed');
  const zipRes = await app.inject({ method: 'GET', url: bulkJob.download_url });
  t.equal(Number(zipRes.headers['content-length']), zipRes.rawPayload.length);
  const zip = await readZip(zipRes.rawPayload);
  t.same([...zip.keys()].sort(), ['f1.pdf', 'f2.pdf', 'f3.pdf']);
  t.equal((await PDFDocument.load(zip.get('f3.pdf')!)).getPageCount(), 3);

  // Export from the bucket-held result to the S3 target.
  const exp = await app.inject({ method: 'POST', url: `/api/jobs/${id}/export`, payload: { provider: 's3', folder: 'exports', filename: 'copy' } });
  t.equal(exp.statusCode, 202, exp.body);
  const expJob = await waitForJob(app, exp.json().job_id);
  t.equal(expJob.status, 'completed', JSON.stringify(expJob.error));
  t.equal(expJob.result.bytes, job.result.compressed_size);

  // DELETE removes the objects; the sweep removes orphans older than the grace period.
  await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  t.same(await keys(`results/${id}/`), []);
  const orphan = '11111111-2222-4333-8444-555555555555';
  await app.storage.bucket!.put(`results/${orphan}/aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee/x.pdf`, __filename());
  t.equal((await keys(`results/${orphan}/`)).length, 1);
  await sweep(app.store.db, app.storage, Date.now());
  t.equal((await keys(`results/${orphan}/`)).length, 1, 'a young orphan is kept');
  const report = await sweep(app.store.db, app.storage, Date.now() + 60 * 60_000);
  t.comment(JSON.stringify(report));
  t.same(await keys(`results/${orphan}/`), [], 'an old orphan is removed');
  t.ok(report.removed.some((r) => r.startsWith('bucket:results/')));
  t.same(readdirSync(app.storage.processingRoot), [], 'no scratch left');
});

function __filename(): string {
  return new URL(import.meta.url).pathname;
}
