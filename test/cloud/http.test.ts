import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ProviderClient } from '../../src/cloud/client.js';
import { backoffMs, call, NetworkError, retryAfterMs } from '../../src/cloud/http.js';

/** A server whose every answer the test writes by hand. */
async function rawServer(t: Test, handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const client = (waits: number[], opts: { attempts?: number; timeoutMs?: number } = {}) =>
  new ProviderClient({
    provider: 'dropbox',
    token: 'secret-token-value',
    signal: AbortSignal.timeout(30_000),
    retry: { attempts: opts.attempts ?? 2, baseMs: 100, maxWaitMs: 60_000 },
    requestTimeoutMs: opts.timeoutMs ?? 5000,
    sleep: async (ms) => void waits.push(ms),
  });

t.test('Retry-After: seconds or an HTTP date; garbage is ignored', async (t) => {
  const h = (v: string) => new Headers({ 'retry-after': v });
  t.equal(retryAfterMs(h('12')), 12_000);
  t.equal(retryAfterMs(h(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString()), Date.UTC(2030, 0, 1)), 30_000);
  t.equal(retryAfterMs(h('soon')), undefined);
  t.equal(retryAfterMs(new Headers()), undefined);
  for (let i = 0; i < 20; i++) t.ok(backoffMs(3, 100) >= 640 && backoffMs(3, 100) <= 960, 'base·2^n ± 20 %');
});

t.test('request(): 429 and 5xx are retried with the asked wait, then become a retryable failure', async (t) => {
  let n = 0;
  const url = await rawServer(t, (req, res) => {
    n++;
    if (n === 1) res.writeHead(429, { 'retry-after': '3' }).end();
    else if (n === 2) res.writeHead(502).end('<html>bad gateway</html>');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const waits: number[] = [];
  const answer = await client(waits).request({ method: 'GET', url }, 'testing');
  t.equal(answer.status, 200);
  t.same(answer.json, { ok: true });
  t.equal(waits[0], 3000, 'Retry-After honoured');
  t.equal(waits.length, 2);

  const always = await rawServer(t, (req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_summary":"secret-token-value is overloaded"}'));
  const w2: number[] = [];
  const err = await client(w2).request({ method: 'GET', url: always }, 'testing').catch((e: unknown) => e);
  t.match(err, { code: 'CLOUD_PROVIDER_ERROR', retryable: true, message: /kept failing while testing \(HTTP 503/ });
  t.notMatch((err as Error).message, /secret-token-value/, 'a token echoed by the provider is redacted');
  t.match((err as Error).message, /\[token\] is overloaded/);
  t.equal(w2.length, 2, 'CLOUD_RETRIES waits, then the failure');
});

t.test('a Retry-After longer than a job should sit on is not waited: retryable failure at once', async (t) => {
  const url = await rawServer(t, (req, res) => res.writeHead(429, { 'retry-after': '86400' }).end());
  const waits: number[] = [];
  await t.rejects(client(waits).request({ method: 'GET', url }, 'testing'), { code: 'CLOUD_PROVIDER_ERROR', retryable: true });
  t.same(waits, []);
});

t.test('hostile servers: huge bodies are cut, redirects not followed, silence times out', async (t) => {
  const url = await rawServer(t, (req, res): void => {
    if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end();
    else if (req.url !== '/silent') res.end(); // /silent never answers
  });
  const signal = AbortSignal.timeout(30_000);
  const huge = await call({ method: 'GET', url: `${url}/huge` }, signal, 20_000);
  t.ok(huge.text.length <= 1024 * 1024, 'at most 1 MiB read');
  t.equal(huge.json, undefined);
  const redirect = await call({ method: 'GET', url: `${url}/redirect` }, signal, 5000);
  t.equal(redirect.status, 302, 'the redirect is returned, not followed');
  await t.rejects(call({ method: 'GET', url: `${url}/silent` }, signal, 200), NetworkError);
  await t.rejects(call({ method: 'GET', url: 'http://127.0.0.1:1/' }, signal, 2000), { name: 'NetworkError', message: /connection failed/ });
});

t.test('the job signal aborts a request with its own reason, not as a network error', async (t) => {
  const url = await rawServer(t, () => {});
  const controller = new AbortController();
  const pending = call({ method: 'GET', url }, controller.signal, 10_000);
  controller.abort(new Error('cancelled'));
  await t.rejects(pending, { message: 'cancelled' });
});
