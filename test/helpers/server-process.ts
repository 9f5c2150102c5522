import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Test } from 'tap';
import { projectRoot } from '../../src/paths.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Every stdout line so far (pino JSON). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `src/server.ts` (or another entry, e.g. test/helpers/server-child.ts) as a real child
 * process (same TypeScript loader as the tests) and resolves once it listens. The child is
 * killed at teardown if still running.
 */
/**
 * Under `npm test` (which builds first and sets PDF_SMALLER_WORKER_DIR) a child server runs
 * from the fresh build: a process under the TypeScript loader takes 3–5 s to start, compiled
 * well under one. Run alone (`npx tap file`), it runs from source.
 */
const COMPILED: Record<string, string> = {
  'src/server.ts': 'dist/src/server.js',
  'test/helpers/server-child.ts': 'dist/scripts/bench-node-server.js', // the same server + no-op job type
};

function command(entry: string): string[] {
  const compiled = COMPILED[entry];
  if (process.env.PDF_SMALLER_WORKER_DIR && compiled) return [path.join(projectRoot, compiled)];
  return [...process.execArgv, path.join(projectRoot, entry)];
}

export async function startServer(t: Test, env: Record<string, string>, entry = 'src/server.ts'): Promise<ServerProcess> {
  const child = spawn(process.execPath, command(entry), {
    cwd: projectRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', MIN_FREE_DISK_MB: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (m) resolve(m[1]!);
      }
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr.slice(-2000)}`)));
  });
  return { child, url, logs, exited };
}

/** POST a multipart form to a live server. */
export async function postFile(url: string, fields: Record<string, string>, file: { name: string; data: Buffer }): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([file.data], { type: 'application/pdf' }), file.name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return fetch(url, { method: 'POST', body: form });
}

export async function getJson(url: string): Promise<Record<string, any>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, any>;
}

/** Polls until `pred` holds for the job, or throws after timeoutMs. */
export async function pollJob(base: string, id: string, pred: (job: Record<string, any>) => boolean, timeoutMs = 60_000): Promise<Record<string, any>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJson(`${base}/api/jobs/${id}`);
    if (pred(job)) return job;
    if (Date.now() > end) throw new Error(`job ${id}: condition not met after ${timeoutMs} ms; last status ${job.status}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
