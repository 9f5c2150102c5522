import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';

/** A fresh temp folder removed when the test ends. */
export function tempDir(t: Test, prefix = 'pdfs-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A config on temp folders, with small thread counts suited to a 2-core CI machine. */
export function testConfig(t: Test, env: Record<string, string> = {}): Config {
  const dir = tempDir(t);
  return loadConfig({
    DATA_DIR: path.join(dir, 'data'),
    UPLOAD_DIR: path.join(dir, 'uploads'),
    WORKER_THREADS: '1',
    MIN_FREE_DISK_MB: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/** Collects the app's JSON log lines (pino's sink pattern) for assertions. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  logs: LogSink;
}

export async function startApp(t: Test, env: Record<string, string> = {}, opts: AppOptions = {}): Promise<TestApp> {
  const config = testConfig(t, env);
  const logs = new LogSink();
  const app = await buildApp(config, { logger: { level: config.logLevel === 'warn' ? 'info' : config.logLevel, stream: logs }, ...opts });
  await app.ready();
  t.teardown(() => app.close());
  return { app, config, logs };
}

/** A multipart body for app.inject, built with the platform's FormData. */
export async function multipart(
  fields: Record<string, string>,
  files: { field?: string; name: string; data: Buffer; type?: string }[] = [],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const f of files) form.append(f.field ?? 'file', new Blob([f.data], { type: f.type ?? 'application/pdf' }), f.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

/** Polls GET /api/jobs/:id until the job is final (or the test times out). */
export async function waitForJob(app: FastifyInstance, id: string, timeoutMs = 60_000, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers });
    const body = res.json();
    if (['completed', 'failed', 'cancelled', 'expired'].includes(body.status)) return body;
    if (Date.now() > end) throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
