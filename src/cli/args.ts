import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS, type Command, type CommandName } from './commands.js';

/** A work command as the user typed it, checked, with its flags turned into the route's fields. */
export interface CliRequest {
  command: Command;
  inputs: string[];
  out: string | undefined;
  threads: number;
  quiet: boolean;
  json: boolean;
  server: string | undefined;
  apiKey: string | undefined;
  password: string | undefined;
  /** The form fields of the route (flags, `--option`s folded into `options` where the route has it). */
  fields: Record<string, string>;
}

/** A mistake in the command line itself (exit 2, with the message). */
export class UsageError extends Error {
  override name = 'UsageError';
}

const COMMON: ParseArgsConfig['options'] = {
  output: { type: 'string', short: 'o' },
  threads: { type: 'string', short: 't' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  server: { type: 'string' },
  'api-key': { type: 'string' },
  password: { type: 'string' },
  option: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
};

export function helpFor(command: Command): string {
  const width = Math.max(...Object.keys(command.flags).map((f) => f.length)) + 2;
  const own = Object.entries(command.flags).map(([flag, f]) => `      --${flag.padEnd(width)}${f.help}`);
  return `pdf-smaller ${command.name}: ${command.summary}

Usage: ${command.usage}

  FILES are files, folders (their ${command.extensions.join(' ')} files) or - for standard input.
  Each result goes beside its input (e.g. report_compressed.pdf), or into OUT: a folder for
  several inputs, a file name for one, - for standard output.

Options:
${own.join('\n')}
      --option KEY=VALUE   any other field of ${command.route} (see /docs), repeatable
      --password P         opens password-protected PDFs (used for this run only)
  -o, --output OUT         where results go (see above)
  -t, --threads N          files processed at once (default: the CPU count, ${os.availableParallelism()} here)
  -q, --quiet              no progress or summary (errors are still printed)
      --json               one JSON document on stdout: every file's outcome and result
      --server URL         send the work to a running pdf-smaller server instead
      --api-key K          its API key (or PDF_SMALLER_API_KEY)
  -h, --help               this help

Exit codes: 0 every file done; 2 bad input or usage (a 4xx code, e.g. INVALID_PDF); 3 some
files done and some failed; 1 an internal error (a 5xx code, e.g. INTERNAL_ERROR).
`;
}

/** argv after the command name → the request, or a UsageError; `help` when -h was given. */
export function parseCommand(name: CommandName, argv: string[], env: NodeJS.ProcessEnv): CliRequest | 'help' {
  const command = COMMANDS[name];
  const options: NonNullable<ParseArgsConfig['options']> = { ...COMMON };
  for (const [flag, f] of Object.entries(command.flags)) options[flag] = { type: f.type === 'boolean' ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) return 'help';
  if (parsed.positionals.length === 0) throw new UsageError(`no input: give one or more files, folders, or - for standard input`);
  const threads = v.threads === undefined ? os.availableParallelism() : Number(v.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads ${String(v.threads)}: expected a whole number from 1 to 256`);

  const fields: Record<string, string> = {};
  const opts: Record<string, unknown> = {};
  for (const [flag, f] of Object.entries(command.flags)) {
    const raw = v[flag];
    if (raw === undefined) continue;
    let value: string | number | boolean = raw as string | boolean;
    if (f.file) value = readText(String(raw), flag);
    if (f.negate) value = raw !== true;
    if (f.type === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) throw new UsageError(`--${flag} ${String(raw)}: expected a number`);
    }
    if (f.inOptions) opts[f.field] = value;
    else fields[f.field] = String(value);
  }
  for (const pair of (v.option as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option ${pair}: expected KEY=VALUE`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (command.optionsField) opts[key] = jsonOrString(raw);
    else fields[key] = raw;
  }
  if (Object.keys(opts).length) fields.options = JSON.stringify(opts);
  const out = v.output as string | undefined;
  if (out === '-' && parsed.positionals.length > 1) throw new UsageError('-o - (standard output) takes a single input');
  return {
    command,
    inputs: parsed.positionals,
    out,
    threads,
    quiet: v.quiet === true,
    json: v.json === true,
    server: (v.server as string | undefined)?.replace(/\/+$/, ''),
    apiKey: (v['api-key'] as string | undefined) ?? env.PDF_SMALLER_API_KEY,
    password: v.password as string | undefined,
    fields,
  };
}

/** `--option dpi=200` is a number, `--option ocr=true` a boolean, `--option pages=1-3` a string. */
function jsonOrString(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--${flag} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
