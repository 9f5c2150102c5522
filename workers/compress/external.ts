import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

const found = new Map<string, string | null>();

/** The executable's path when it is on PATH (looked up once per thread), else null. */
export function findTool(name: string): string | null {
  if (!found.has(name)) {
    let hit: string | null = null;
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      try {
        accessSync(path.join(dir, name), constants.X_OK);
        hit = path.join(dir, name);
        break;
      } catch {
        // not in this folder
      }
    }
    found.set(name, hit);
  }
  return found.get(name) ?? null;
}

export interface ToolRun {
  ok: boolean;
  ms: number;
  /** The tool's complaint, first line, without paths; set when ok is false. */
  error?: string;
}

/**
 * Runs an external tool in the job's scratch folder; the job awaits it in its own pool slot
 * (pipeline.ts), so the tool is the slot's one CPU-heavy process meanwhile. Output goes to
 * files, not pipes: nothing reads a pipe while the tool runs. The timeout is a safety bound
 * only (a task aborted by the pool ends its thread but not the processes it started); callers
 * set it far above a normal run, so it never decides an outcome in normal operation.
 */
export async function runTool(file: string, args: string[], opts: { cwd: string; log: string; timeoutMs: number; okCodes?: number[]; signal?: AbortSignal }): Promise<ToolRun> {
  const t0 = performance.now();
  const log = path.join(opts.cwd, opts.log);
  const r = await execa(file, args, { cwd: opts.cwd, timeout: opts.timeoutMs, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: { file: log }, forceKillAfterDelay: 2000, ...(opts.signal ? { cancelSignal: opts.signal } : {}) });
  const ms = Math.round(performance.now() - t0);
  if (r.timedOut) return { ok: false, ms, error: `timed out after ${Math.round(opts.timeoutMs / 1000)} s` };
  if (r.isCanceled) return { ok: false, ms, error: `stopped after ${(ms / 1000).toFixed(1)} s: ${String(opts.signal?.reason ?? 'cancelled')}` };
  if (r.exitCode !== undefined && (opts.okCodes ?? [0]).includes(r.exitCode)) return { ok: true, ms };
  let text = '';
  try {
    text = readFileSync(log, 'latin1');
  } catch {
    // no log written
  }
  const line = text.split('\n').find((l) => l.trim()) ?? `exit code ${r.exitCode ?? r.signal ?? '?'}`;
  return { ok: false, ms, error: line.replace(/(?:\/[\w.@-]+)+/g, '<file>').trim().slice(0, 160) };
}
