import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readCloudSettings } from '../../src/cloud/settings.js';
import { s3Key, uploadToS3 } from '../../src/cloud/s3.js';
import { FileSource } from '../../src/cloud/source.js';
import type { ExportTarget } from '../../src/cloud/upload.js';
import { tempDir } from '../helpers/app.js';
import { bytesOf, getObject, startS3, type LocalS3 } from './setup.js';

async function upload(t: Test, s3: LocalS3, size: number, target: ExportTarget, env: Record<string, string> = {}, signal = AbortSignal.timeout(60_000)) {
  const data = bytesOf(size, 7);
  const file = path.join(tempDir(t), 'result.pdf');
  await writeFile(file, data);
  const source = await FileSource.open(file, 'application/pdf');
  t.teardown(() => source.close());
  const settings = readCloudSettings({ ...s3.env, CLOUD_CHUNK_KB: '1', ...env });
  const progress: number[] = [];
  const remote = uploadToS3({ s3: settings.s3!, jobId: JOB, settings, source, target, signal, onProgress: (n) => progress.push(n) });
  return { data, remote, progress };
}

const JOB = '6f1c2a9e-0000-4000-8000-000000000001';

t.test('key is exports/<job id>/folder/filename, and `name (n)` for the n-th copy', async (t) => {
  t.equal(s3Key(JOB, { folder: ['a', 'b'], filename: 'c.pdf' }), `exports/${JOB}/a/b/c.pdf`);
  t.equal(s3Key(JOB, { folder: [], filename: 'c.pdf' }), `exports/${JOB}/c.pdf`);
  t.equal(s3Key(JOB, { folder: [], filename: 'c.pdf' }, 2), `exports/${JOB}/c (2).pdf`);
});

t.test('a small result is one PutObject; the object equals the file, with its content type', async (t) => {
  const s3 = await startS3(t);
  const { data, remote } = await upload(t, s3, 50_000, { folder: ['exports', '2024'], filename: 'report.pdf' });
  t.match(await remote, { bucket: 'exports', key: `exports/${JOB}/exports/2024/report.pdf`, etag: /^[0-9a-f]{32}$/ });
  const obj = await getObject(s3, `exports/${JOB}/exports/2024/report.pdf`);
  t.ok(obj?.data.equals(data), 'same bytes');
  t.equal(obj?.contentType, 'application/pdf');
});

t.test('a result over one part goes through a multipart upload (5 MiB parts) and arrives whole', async (t) => {
  const s3 = await startS3(t);
  const size = 5 * 1024 * 1024 + 300_000;
  const { data, remote, progress } = await upload(t, s3, size, { folder: [], filename: 'big.pdf' });
  await remote;
  // lib-storage reports progress once per part: a first report at exactly one part means
  // the multipart path (a single PutObject reports only the whole size).
  t.equal(progress[0], 5 * 1024 * 1024, 'first part confirmed on its own');
  t.equal(progress.at(-1), size);
  t.ok((await getObject(s3, `exports/${JOB}/big.pdf`))?.data.equals(data));
});

t.test('wrong credentials: CLOUD_AUTH_FAILED naming the variables, no secret in the message, no object', async (t) => {
  const s3 = await startS3(t);
  // s3rver checks the key id (not every signature), so the wrong credential here is the key id.
  const { remote } = await upload(t, s3, 50_000, { folder: [], filename: 'x.pdf' }, { S3_ACCESS_KEY_ID: 'WRONGKEY', S3_SECRET_ACCESS_KEY: 'wrong-secret-value', CLOUD_RETRIES: '0' });
  const err = (await remote.catch((e: unknown) => e)) as Error & { code: string };
  t.equal(err.code, 'CLOUD_AUTH_FAILED');
  t.match(err.message, /S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
  t.notMatch(err.message, /wrong-secret-value/);
  t.equal(await getObject(s3, `exports/${JOB}/x.pdf`), undefined);
});

t.test('an aborted multipart upload leaves no object', async (t) => {
  const s3 = await startS3(t);
  const controller = new AbortController();
  const { remote, progress } = await upload(t, s3, 11 * 1024 * 1024, { folder: [], filename: 'gone.pdf' }, {}, controller.signal);
  const aborted = remote.catch((e: unknown) => e);
  // Abort once the first part is in: a real multipart upload is underway.
  while (progress.length === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort(new Error('cancelled'));
  t.ok((await aborted) instanceof Error);
  t.equal(await getObject(s3, `exports/${JOB}/gone.pdf`), undefined);
});

t.test('an existing object is never overwritten; S3_EXPORT_BUCKET takes exports elsewhere', async (t) => {
  const s3 = await startS3(t);
  const first = await upload(t, s3, 1000, { folder: [], filename: 'same.pdf' });
  t.equal((await first.remote).key, `exports/${JOB}/same.pdf`);
  const second = await upload(t, s3, 2000, { folder: [], filename: 'same.pdf' });
  t.equal((await second.remote).key, `exports/${JOB}/same (1).pdf`);
  t.ok((await getObject(s3, `exports/${JOB}/same.pdf`))?.data.equals(first.data), 'the first is intact');
  const settings = readCloudSettings({ ...s3.env, S3_EXPORT_BUCKET: 'elsewhere' });
  t.equal(settings.s3?.bucket, 'exports', 'job storage keeps S3_BUCKET');
  t.equal(settings.s3?.exportBucket, 'elsewhere');
  t.equal(readCloudSettings({ ...s3.env, S3_BUCKET: '', S3_EXPORT_BUCKET: 'only-exports' }).s3?.bucket, undefined, 'exports alone do not switch job storage to S3');
});
