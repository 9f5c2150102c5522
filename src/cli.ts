import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { COMMANDS, isCommand } from './cli/commands.js';
import { version } from './version.js';

const commandList = Object.values(COMMANDS)
  .map((c) => `  ${c.name.padEnd(10)} ${c.summary}`)
  .join('\n');

export const HELP = `pdf-smaller ${version}: self-hosted PDF processing server

Usage: pdf-smaller [serve] [options]          the server (the default)
       pdf-smaller COMMAND FILES… [options]   the same work in this process, from a shell

Commands (pdf-smaller COMMAND --help for each):
${commandList}

Server options (each mirrors an environment variable; flags win):
  -p, --port <n>         listen port                      (PORT, default 5000)
      --host <addr>      listen address                   (HOST, default 127.0.0.1; 0.0.0.0 exposes it)
      --data-dir <dir>   SQLite database folder           (DATA_DIR, default ./data)
      --upload-dir <dir> job files folder                 (UPLOAD_DIR, default ./uploads)
      --workers <n>      worker threads                   (WORKER_THREADS, default CPU count)
  -v, --version          print the version and exit
  -h, --help             print this help and exit

Every other setting is an environment variable; see .env.example. A .env file in the
working directory is read at start (real environment variables win).
API documentation: http://<host>:<port>/docs
`;

const FLAGS = { port: 'PORT', host: 'HOST', 'data-dir': 'DATA_DIR', 'upload-dir': 'UPLOAD_DIR', workers: 'WORKER_THREADS' } as const;

export type CliOutcome = { env: NodeJS.ProcessEnv } | { exit: 0 | 2; output: string };

/** Command-line arguments → the environment main() reads, or a message and an exit code. */
export function cliOutcome(argv: string[], env: NodeJS.ProcessEnv): CliOutcome {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'upload-dir': { type: 'string' },
        workers: { type: 'string' },
      },
    });
  } catch (err) {
    return { exit: 2, output: `pdf-smaller: ${(err as Error).message}\nRun pdf-smaller --help for the options.\n` };
  }
  const v = parsed.values;
  if (v.help) return { exit: 0, output: HELP };
  if (v.version) return { exit: 0, output: `${version}\n` };
  const out = { ...env };
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = v[flag as keyof typeof FLAGS];
    if (value !== undefined) out[name] = value;
  }
  return { env: out };
}

export async function runCli(argv: string[]): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [first, ...rest] = argv;
  if (isCommand(first)) {
    // Only what the command needs is loaded: a work command starts in well under a second.
    const { runWork } = await import('./cli/run.js');
    process.exitCode = await runWork(first, rest, process.env);
    return;
  }
  const outcome = cliOutcome(first === 'serve' ? rest : argv, process.env);
  if ('exit' in outcome) {
    (outcome.exit === 0 ? process.stdout : process.stderr).write(outcome.output);
    process.exit(outcome.exit);
  }
  const { main } = await import('./main.js');
  await main(outcome.env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runCli(process.argv.slice(2));
