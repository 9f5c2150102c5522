import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ConfigError, EnvSchema, loadConfig } from '../src/config.js';
import { projectRoot } from '../src/paths.js';

t.test('defaults match the README', async (t) => {
  const c = loadConfig({});
  t.equal(c.host, '127.0.0.1', 'only this machine until HOST says otherwise');
  t.equal(c.port, 5000);
  t.equal(c.dataDir, path.resolve('./data'));
  t.equal(c.uploadDir, path.resolve('./uploads'));
  t.equal(c.maxFileSizeBytes, 100 * 1024 * 1024);
  t.equal(c.maxFiles, 20);
  t.equal(c.jobTtlMs, 24 * 3_600_000);
  t.equal(c.jobTimeoutMs, 600_000);
  t.equal(c.jobLeaseMs, 30_000);
  t.equal(c.maxPages, 2000);
  t.equal(c.maxPendingJobs, 1000);
  t.equal(c.ocrEngine, 'auto');
  t.same(c.apiKeys, []);
  t.ok(c.workerThreads >= 1);
});

t.test('values are parsed and lists split', async (t) => {
  const c = loadConfig({ PORT: ' 8080 ', API_KEYS: 'a, b,,c', WORKER_THREADS: '0', LOG_LEVEL: 'debug', WEBHOOK_ALLOW_PRIVATE: '1', PORT_UNUSED: 'x' });
  t.equal(c.port, 8080);
  t.same(c.apiKeys, ['a', 'b', 'c']);
  t.equal(c.workerThreads, 0);
  t.equal(c.logLevel, 'debug');
  t.equal(c.webhookAllowPrivate, true);
  t.equal(loadConfig({ PORT: '' }).port, 5000, 'empty means default');
});

t.test('switches take true/false, yes/no, on/off and 1/0, in any case', async (t) => {
  for (const word of ['true', 'TRUE', 'yes', 'On', '1', ' true ']) t.equal(loadConfig({ WEBHOOK_ALLOW_PRIVATE: word }).webhookAllowPrivate, true, word);
  for (const word of ['false', 'no', 'OFF', '0']) t.equal(loadConfig({ WEBHOOK_ALLOW_PRIVATE: word }).webhookAllowPrivate, false, word);
  t.equal(loadConfig({ S3_FORCE_PATH_STYLE: 'true' }).env.S3_FORCE_PATH_STYLE, true, 'S3_FORCE_PATH_STYLE=true as MinIO documents it');
  t.throws(() => loadConfig({ S3_FORCE_PATH_STYLE: 'maybe' }), { name: 'ConfigError', message: /^S3_FORCE_PATH_STYLE="maybe" is not valid: expected true or false \(also yes\/no, on\/off, 1\/0\)$/ });
});

t.test('a bad value names the variable, the value and what is allowed', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT="abc" is not valid: expected an integer from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT="70000" is not valid/],
    [{ MAX_FILE_SIZE_MB: '1.5' }, /^MAX_FILE_SIZE_MB="1.5" is not valid: expected an integer from 1 to/],
    [{ JOB_LEASE_S: '1' }, /^JOB_LEASE_S="1" is not valid: expected an integer from 2 to 3600$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" is not valid: expected one of fatal, error, warn, info, debug, trace, silent$/],
    [{ OCR_ENGINE: 'gpu' }, /^OCR_ENGINE="gpu" is not valid: expected one of auto, wasm, native$/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL="mysql:\/\/x" is not valid: expected a postgres/],
  ];
  for (const [env, re] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message: re }, JSON.stringify(env));
  t.type(new ConfigError('x'), Error);
});

t.test('.env.example lists every variable with its default', async (t) => {
  const text = readFileSync(path.join(projectRoot, '.env.example'), 'utf8');
  for (const [name, schema] of Object.entries(EnvSchema.properties)) {
    const def = (schema as { default?: unknown }).default;
    const line = text.split('\n').find((l) => l.replace(/^#\s*/, '').startsWith(`${name}=`));
    t.ok(line, `${name} is in .env.example`);
    if (name !== 'WORKER_THREADS' && def !== undefined) t.match(line, `${name}=${String(def)}`, `${name} default`);
  }
});
