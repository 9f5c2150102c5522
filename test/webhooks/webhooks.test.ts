import { createServer, type IncomingMessage } from 'node:http';
import t, { type Test } from 'tap';
import { isPrivateAddress } from '../../src/webhooks/address.js';
import { signature } from '../../src/webhooks/deliver.js';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering each POST with the next status in `answers`. */
async function receiver(t: Test, answers: number[]) {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook?token=abc`, got };
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('a signed webhook is POSTed on completion, retried after a 500', async (t) => {
  const hook = await receiver(t, [500, 200]);
  const { app } = await startApp(t, { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_SECRET: 's3cret', WEBHOOK_RETRY_S: '0' });
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low', webhook_url: hook.url }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.equal(res.statusCode, 202, res.body);
  const id = res.json().job_id as string;
  await waitForJob(app, id);
  await until(() => (hook.got.length >= 2 ? true : undefined));
  const [first, second] = hook.got as [Received, Received];
  t.equal(first.body, second.body, 'the retry sends the same job JSON');
  const payload = JSON.parse(second.body);
  t.match(payload, { event: 'job.completed', job_id: id, status: 'completed', result: { original_filename: 'a.pdf' } });
  t.equal(second.headers['x-signature'], signature('s3cret', second.body), 'HMAC-SHA256 of the body');
  t.equal(second.headers['x-webhook-event'], 'job.completed');
  t.equal(second.headers['x-webhook-attempt'], '2');
  const final = await until(async () => {
    const body = (await app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
    return body.webhook.status === 'delivered' ? body : undefined;
  });
  t.match(final.webhook, { status: 'delivered', attempts: 2 });
  t.notMatch(JSON.stringify(final), /token=abc/, 'the URL (and its token) is not echoed');
});

t.test('three failed tries mark the delivery failed, with the last error', async (t) => {
  const hook = await receiver(t, [500, 503, 502]);
  const { app } = await startApp(t, { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_S: '0' });
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low', webhook_url: hook.url }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  const id = res.json().job_id as string;
  const final = await until(async () => {
    const body = (await app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
    return body.webhook?.status === 'failed' ? body : undefined;
  });
  t.match(final.webhook, { status: 'failed', attempts: 3, last_error: /502/ });
  t.equal(hook.got.length, 3);
  t.equal(final.status, 'completed', 'a failed webhook does not change the job');
});

t.test('a cancelled job is reported too', async (t) => {
  const hook = await receiver(t, []);
  const { app } = await startApp(t, { WEBHOOK_ALLOW_PRIVATE: '1' }, { dispatch: false });
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ webhook_url: hook.url }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  const id = res.json().job_id as string;
  await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  app.dispatcher.start(); // the delivery runs through the queue
  await until(() => (hook.got.length ? true : undefined));
  t.match(JSON.parse(hook.got[0]!.body), { event: 'job.cancelled', job_id: id, status: 'cancelled' });
});

t.test('webhook_url is checked at submission: scheme, syntax, private addresses (SSRF)', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const pdf = await textPdf(1);
  for (const [url, why] of [
    ['http://127.0.0.1:9/x', /private or loopback/],
    ['http://localhost/x', /private or loopback/],
    ['http://[::1]/x', /private or loopback/],
    ['http://169.254.169.254/latest/meta-data', /private or loopback/],
    ['http://10.1.2.3/x', /private or loopback/],
    ['ftp://example.com/x', /only http and https/],
    ['file:///etc/passwd', /only http and https/],
    ['not a url', /not a URL/],
    ['https://user:pw@example.com/x', /credentials/],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ webhook_url: url }, [{ name: 'a.pdf', data: pdf }])) });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().error.code, 'INVALID_OPTIONS');
    t.match(res.json().error.message, why, url);
  }
});

t.test('private address ranges', async (t) => {
  for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', 'not-an-ip']) {
    t.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1']) t.equal(isPrivateAddress(a), false, a);
});
