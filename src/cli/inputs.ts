import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CliRequest } from './args.js';
import { UsageError } from './args.js';

/** One file to process: a path, or standard input ('-'). */
export interface InputFile {
  /** As shown to the user. */
  label: string;
  /** The file to read, or undefined for standard input. */
  path: string | undefined;
  /** The name sent as the upload's file name (the result is named from it). */
  name: string;
}

/**
 * FILES as given: files as they are (whatever their extension: content decides), folders as
 * the files directly inside with the command's extensions (sorted), and - as standard input.
 */
export function expandInputs(req: CliRequest): InputFile[] {
  const out: InputFile[] = [];
  for (const arg of req.inputs) {
    if (arg === '-') {
      out.push({ label: '<stdin>', path: undefined, name: `stdin${req.command.extensions[0]}` });
      continue;
    }
    if (!existsSync(arg)) throw new UsageError(`${arg}: no such file or folder`);
    if (statSync(arg).isDirectory()) {
      const names = readdirSync(arg)
        .filter((n) => req.command.extensions.includes(path.extname(n).toLowerCase()) && statSync(path.join(arg, n)).isFile())
        .sort();
      if (names.length === 0) throw new UsageError(`${arg}: no ${req.command.extensions.join(' ')} files in this folder`);
      for (const n of names) out.push({ label: path.join(arg, n), path: path.join(arg, n), name: n });
    } else {
      out.push({ label: arg, path: arg, name: path.basename(arg) });
    }
  }
  if (out.filter((f) => f.path === undefined).length > 1) throw new UsageError('- (standard input) can be given once');
  return out;
}

/**
 * Where a result goes: `-o -` → standard output; an input from standard input with no -o →
 * standard output; no -o → beside its input under the result's name (report_compressed.pdf);
 * -o naming a folder (it exists, ends with /, or there are several inputs) → inside it, under
 * the input's own name for compress (a folder of smaller PDFs) and the result's name otherwise;
 * else (one input) -o is the output file. Undefined = standard output.
 */
export function outputPath(req: CliRequest, input: InputFile, resultName: string, inputs: number): string | undefined {
  const out = req.out;
  if (out === '-' || (out === undefined && input.path === undefined)) return undefined;
  if (out === undefined) return path.join(path.dirname(input.path!), resultName);
  const isDir = inputs > 1 || out.endsWith('/') || out.endsWith(path.sep) || (existsSync(out) && statSync(out).isDirectory());
  const target = isDir ? path.join(out, req.command.name === 'compress' && input.path !== undefined ? input.name : resultName) : out;
  if (input.path !== undefined && path.resolve(target) === path.resolve(input.path)) {
    throw new UsageError(`${input.label}: the result would overwrite its input; choose another -o`);
  }
  return target;
}

/** Standard input, whole (a PDF piped in: `… | pdf-smaller compress - -o - | …`). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
