import { ConfigError } from '../config.js';
import { AppError, ERRORS } from '../errors.js';
import { helpFor, parseCommand, UsageError } from './args.js';
import { COMMANDS, type CommandName } from './commands.js';
import { expandInputs, outputPath } from './inputs.js';
import { exitCode, Ui, type FileOutcome } from './report.js';

/**
 * `pdf-smaller COMMAND FILES… [options]`: the command line's work commands, in this process
 * (local.ts) or on a server (--server, remote.ts). Returns the exit code (README "From the
 * command line"): 0 done, 2 usage or bad input, 3 partly done, 1 internal error, 130 stopped.
 */
export async function runWork(name: CommandName, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const req = parseCommand(name, argv, env);
    if (req === 'help') {
      process.stdout.write(helpFor(COMMANDS[name]));
      return 0;
    }
    if (req.json && req.out === '-') throw new UsageError('--json and -o - both write to standard output; choose one');
    const files = expandInputs(req);
    // Refused before any work: an -o that would write a result over one of the inputs.
    if (req.out !== undefined) for (const f of files) outputPath(req, f, `${f.name}.result`, files.length);
    const ui = new Ui(req.quiet || req.json);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop).once('SIGTERM', stop);
    const run = req.server ? (await import('./remote.js')).runRemote : (await import('./local.js')).runLocal;
    let outcomes: FileOutcome[];
    try {
      outcomes = await run(req, files, ui, controller.signal);
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
    for (const o of outcomes) if (o.status === 'failed') ui.failed(o);
    const startup = req.server ? undefined : (await import('./local.js')).startupMs();
    if (req.json) {
      const report = { command: name, exit_code: exitCode(outcomes), ...(startup !== undefined ? { started_after_s: Math.round(startup) / 1000 } : {}), files: outcomes.map(jsonOf) };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    }
    else ui.summary(outcomes, name === 'compress');
    return controller.signal.aborted ? 130 : exitCode(outcomes);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`pdf-smaller ${name}: ${err.message}\nRun pdf-smaller ${name} --help for the options.\n`);
      return 2;
    }
    if (err instanceof AppError) {
      process.stderr.write(`pdf-smaller ${name}: ${err.code}: ${err.message}\n`);
      return ERRORS[err.code][0] >= 500 ? 1 : 2;
    }
    process.stderr.write(`pdf-smaller ${name}: INTERNAL_ERROR: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

function jsonOf(o: FileOutcome) {
  return {
    file: o.input.label,
    status: o.status,
    ...(o.output ? { output: o.output } : {}),
    ...(o.inputBytes !== undefined ? { input_bytes: o.inputBytes } : {}),
    ...(o.outputBytes !== undefined ? { output_bytes: o.outputBytes } : {}),
    seconds: Math.round(o.seconds * 100) / 100,
    ...(o.result ? { result: o.result } : {}),
    ...(o.code ? { error: { code: o.code, message: o.message } } : {}),
  };
}
