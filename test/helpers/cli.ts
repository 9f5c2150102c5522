import { spawn } from 'node:child_process';
import path from 'node:path';
import { moduleExt, projectRoot } from '../../src/paths.js';

/**
 * `pdf-smaller COMMAND …` as a user runs it: a real process (the compiled CLI under npm test),
 * real files, real worker threads, and for --server a real listening server.
 */
const entry = moduleExt === '.js' || process.env.PDF_SMALLER_WORKER_DIR ? [path.join(projectRoot, 'dist/src/cli.js')] : [...process.execArgv, path.join(projectRoot, 'src/cli.ts')];

export function cli(args: string[], opts: { cwd: string; stdin?: Buffer; env?: Record<string, string> }): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    // The compiled workers by absolute path: the command runs in the test's own folder.
    const workers = process.env.PDF_SMALLER_WORKER_DIR ? { PDF_SMALLER_WORKER_DIR: path.resolve(projectRoot, process.env.PDF_SMALLER_WORKER_DIR) } : {};
    const child = spawn(process.execPath, [...entry, ...args], { cwd: opts.cwd, env: { ...process.env, ...workers, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(opts.stdin);
  });
}

