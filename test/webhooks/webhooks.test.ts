import { createServer, type IncomingMessage } from 'node:http';
import t, { type Test } from 'tap';
import { Webhook } from 'standardwebhooks';
import { isInternalAddress } from '../../src/webhooks/address.js';
import { signature } from '../../src/webhooks/sign.js';
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

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

t.test('a signed webhook is POSTed on completion, retried after a 500', async (t) => {
  const hook = await receiver(t, [500, 200]);
  const { app } = await startApp(t, { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_S: '0' });
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low', webhook_url: hook.url }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.equal(res.statusCode, 202, res.body);
  const id = res.json().job_id as string;
  await waitForJob(app, id);
  await until(() => (hook.got.length >= 2 ? true : undefined));
  const [first, second] = hook.got as [Received, Received];
  t.equal(first.body, second.body, 'the retry sends the same job JSON');
  const payload = JSON.parse(second.body);
  t.match(payload, { event: 'job.completed', job_id: id, status: 'completed', result: { original_filename: 'a.pdf' } });
  t.equal(second.headers['x-signature'], signature(SECRET, second.body), 'X-Signature: HMAC-SHA256 of the body, as before');
  // Standard Webhooks, checked with its own library as a receiver would.
  const verifier = new Webhook(SECRET);
  for (const got of [first, second]) {
    t.same(verifier.verify(got.body, got.headers as Record<string, string>), payload, 'verified by the standardwebhooks package');
  }
  t.equal(first.headers['webhook-id'], second.headers['webhook-id'], 'the same webhook-id on every try');
  t.equal(first.headers['webhook-id'], `msg_${id}`);
  const tampered = { ...second.headers, 'webhook-id': 'msg_other' } as unknown as Record<string, string>;
  t.throws(() => verifier.verify(second.body, tampered), 'a changed id fails verification');
  t.throws(() => verifier.verify(second.body.replace('completed', 'failed'), second.headers as Record<string, string>), 'a changed body fails');
  t.match(payload.download_url, new RegExp(`^/api/jobs/${id}/download\\?expires=\\d+&sig=`), 'the payload carries a signed download link');
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

t.test('a secret not in whsec_ form signs with its UTF-8 bytes; receivers verify with whsec_ + base64 of it', async (t) => {
  const hook = await receiver(t, [200]);
  const { app } = await startApp(t, { WEBHOOK_ALLOW_PRIVATE: 'yes', WEBHOOK_SECRET: 's3cret' });
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low', webhook_url: hook.url }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  await waitForJob(app, res.json().job_id as string);
  const got = await until(() => hook.got[0]);
  const verifier = new Webhook(`whsec_${Buffer.from('s3cret').toString('base64')}`);
  t.ok(verifier.verify(got.body, got.headers as Record<string, string>), 'verified');
  t.equal(got.headers['x-signature'], signature('s3cret', got.body));
});

t.test('a WEBHOOK_SECRET that starts with whsec_ but is not base64 stops the start with a clear message', async (t) => {
  const { loadConfig } = await import('../../src/config.js');
  t.throws(() => loadConfig({ WEBHOOK_SECRET: 'whsec_!!!' }), { name: 'ConfigError', message: /WEBHOOK_SECRET is not valid/ });
});

t.test('webhook_url is checked at submission: scheme, syntax, internal addresses in every spelling (SSRF)', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const pdf = await textPdf(1);
  const internal = /internal address/;
  for (const [url, why] of [
    ['http://127.0.0.1:9/x', internal],
    ['http://localhost/x', internal],
    ['http://[::1]/x', internal],
    ['http://169.254.169.254/latest/meta-data', internal],
    ['http://10.1.2.3/x', internal],
    // Other spellings of loopback and metadata addresses that the URL parser or the stack accept.
    ['http://2130706433/x', internal],
    ['http://0x7f.1/x', internal],
    ['http://0177.0.0.1/x', internal],
    ['http://127.1/x', internal],
    ['http://0/x', internal],
    ['http://[::ffff:127.0.0.1]/x', internal],
    ['http://[::ffff:7f00:1]/x', internal],
    ['http://[::ffff:a9fe:a9fe]/x', internal],
    ['http://[::127.0.0.1]/x', internal],
    ['http://[64:ff9b::a9fe:a9fe]/x', internal],
    ['http://[2002:7f00:1::1]/x', internal],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x', internal],
    ['http://[fec0::1]/x', internal],
    ['http://[fd12:3456::1]/x', internal],
    ['http://[fe80::1]/x', internal],
    ['http://100.64.1.1/x', internal],
    ['http://198.18.0.1/x', internal],
    ['http://192.0.0.8/x', internal],
    ['http://224.0.0.1/x', internal],
    ['http://255.255.255.255/x', internal],
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

t.test('internal address ranges (ipaddr.js), IPv4 embedded in IPv6 included', async (t) => {
  for (const a of [
    '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '198.18.5.5', '192.0.2.1', '240.0.0.1',
    '::', '::1', 'fe80::1', 'fd00::1', 'fec0::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:0a00:0001', '::7f00:1', '64:ff9b::7f00:1',
    '64:ff9b:1::1', '2002:a9fe:a9fe::', '2001::1', '2001:db8::1', 'ff02::1', '[::1]', 'not-an-ip', '',
  ]) {
    t.equal(isInternalAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1', '::ffff:8.8.8.8', '[2a00:1450:4001::200e]']) t.equal(isInternalAddress(a), false, a);
});

t.test('delivery refuses an internal address literal itself (no DNS lookup happens for one)', async (t) => {
  const { deliver } = await import('../../src/webhooks/deliver.js');
  for (const url of ['http://127.0.0.1:9/x', 'http://[::ffff:7f00:1]:9/x', 'http://[::1]:9/x']) {
    await t.rejects(deliver({ id: 'msg_x', url, body: '{}', headers: {}, secret: undefined, allowPrivate: false, timeoutMs: 1000 }), /internal address/, url);
  }
});
