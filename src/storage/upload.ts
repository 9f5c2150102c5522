import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart'; // request.parts() typings
import { AppError } from '../errors.js';
import { safeFilename } from './filenames.js';
import type { Storage } from './layout.js';

export interface ReceivedFile {
  /** Index in the request, from 0. */
  index: number;
  /** Absolute path of the stored copy (a name the server chose). */
  path: string;
  /** The client's file name, untrusted: metadata only, sanitised wherever it is echoed. */
  clientName: string;
  size: number;
  /** The first bytes, for content sniffing. */
  head: Buffer;
}

/** How a job's input lists its files: the stored name (input-N), the client's name made safe, the size. */
export function jobFiles(files: ReceivedFile[]): { stored: string; name: string; size: number }[] {
  return files.map((f) => ({ stored: `input-${f.index}`, name: safeFilename(f.clientName, `document-${f.index + 1}.pdf`), size: f.size }));
}

/** A submission received and staged, not yet a job (a Received upload, or an AI route's JSON text). */
export interface Intake {
  /** Staging folder holding input-0… (uploaded files, or the JSON text as UTF-8). */
  dir: string;
  files: ReceivedFile[];
  /** Top-level fields: the form's strings, or a JSON body's values. */
  fields: Record<string, unknown>;
}

export interface Received {
  /** The staging folder holding every stored file; the caller moves it or removes it. */
  dir: string;
  files: ReceivedFile[];
  fields: Record<string, string>;
}

export interface ReceiveOptions {
  /** Field name(s) that carry files, e.g. "file" or "files". */
  fileField: string;
  maxFiles: number;
  maxFileSize: number;
  /** All files together; default maxFiles × maxFileSize. */
  maxTotalSize?: number;
  /** One text field at most (default FIELD_BYTES); the AI extraction route takes a 64 KB schema. */
  maxFieldSize?: number;
}

/**
 * Text fields a request may carry, and their size: what the routes read (the widest, OCR,
 * takes about 20 fields of a few hundred bytes) with room to spare, so a request cannot make
 * the server buffer megabytes of fields it never looks at.
 */
export const MAX_FIELDS = 32;
export const FIELD_BYTES = 16 * 1024;

const HEAD_BYTES = 1024;

/**
 * Streams a multipart request's files to a fresh staging folder, never holding a file in
 * memory, and collects its text fields. The size limit is enforced while streaming: the
 * first byte past it stops the upload with 413 FILE_TOO_LARGE. On any error the staging
 * folder is removed before the error propagates, so a refused upload leaves nothing behind.
 */
export async function receiveMultipart(request: FastifyRequest, storage: Storage, opts: ReceiveOptions): Promise<Received> {
  if (!request.isMultipart()) {
    throw new AppError('NO_FILE', `Send multipart/form-data with the file in the field "${opts.fileField}".`);
  }
  const dir = await storage.newStagingDir();
  const files: ReceivedFile[] = [];
  const fields: Record<string, string> = Object.create(null);
  const otherFileFields = new Set<string>();
  const maxTotal = opts.maxTotalSize ?? opts.maxFiles * opts.maxFileSize;
  const fieldSize = opts.maxFieldSize ?? FIELD_BYTES;
  let total = 0;
  try {
    const parts = request.parts({
      limits: { fileSize: opts.maxFileSize, files: opts.maxFiles + 1, fields: MAX_FIELDS, fieldSize, parts: opts.maxFiles + 1 + MAX_FIELDS },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw new AppError('INVALID_OPTIONS', `The field "${part.fieldname.slice(0, 64)}" is longer than ${Math.round(fieldSize / 1024)} KB.`);
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== opts.fileField) {
        otherFileFields.add(part.fieldname.slice(0, 64));
        part.file.resume();
        continue;
      }
      if (files.length >= opts.maxFiles) {
        part.file.resume();
        throw new AppError('TOO_MANY_FILES', `At most ${opts.maxFiles} file${opts.maxFiles === 1 ? '' : 's'} per request.`, { max_files: opts.maxFiles });
      }
      const index = files.length;
      const dest = path.join(dir, `input-${index}`);
      const head: Buffer[] = [];
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (size < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - size));
          size += chunk.length;
          total += chunk.length;
          if (total > maxTotal) {
            const mb = Math.round(maxTotal / 1024 / 1024);
            return done(new AppError('FILE_TOO_LARGE', `The files together are larger than the ${mb} MB limit of one request.`, { max_total_upload_mb: mb }));
          }
          done(null, chunk);
        },
      });
      await pipeline(part.file, meter, createWriteStream(dest, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(opts.maxFileSize);
      files.push({ index, path: dest, clientName: part.filename ?? '', size, head: Buffer.concat(head) });
    }
    if (files.length === 0) {
      const hint = otherFileFields.size ? ` (found a file in ${[...otherFileFields].map((f) => `"${f}"`).join(', ')})` : '';
      throw new AppError('NO_FILE', `No file was uploaded. Send the file in the multipart field "${opts.fileField}"${hint}.`);
    }
    return { dir, files, fields };
  } catch (err) {
    drainRest(request);
    await rm(dir, { recursive: true, force: true });
    throw mapMultipartError(err, opts);
  }
}

/** How long a refused upload's remaining body is read and dropped before the connection is cut. */
const DRAIN_MS = 10_000;

/**
 * After a refusal in the middle of the body (disk full, total size): nobody reads the rest of
 * the request any more, so the connection would stay open, wedged, until the client gives up
 * (and hold a graceful shutdown for its whole grace period). Read and drop what the client
 * still sends, as busboy does past a file's size limit, so it gets the answer and the
 * connection is reusable; a client still sending after DRAIN_MS is cut off.
 */
function drainRest(request: FastifyRequest): void {
  const req = request.raw;
  if (req.complete || req.destroyed) return;
  // req.destroy() ends the socket too, and exists on light-my-request's fake request (app.inject), whose socket has no destroy.
  const timer = setTimeout(() => req.destroy(), DRAIN_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer)).once('close', () => clearTimeout(timer));
  req.resume();
}

function tooLarge(max: number): AppError {
  const mb = Math.round(max / 1024 / 1024);
  return new AppError('FILE_TOO_LARGE', `The file is larger than the ${mb} MB limit.`, { max_file_size_mb: mb });
}

/** @fastify/multipart and busboy errors → the coded errors of src/errors.ts. */
function mapMultipartError(err: unknown, opts: ReceiveOptions): unknown {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(opts.maxFileSize);
    case 'FST_FILES_LIMIT':
      return new AppError('TOO_MANY_FILES', `At most ${opts.maxFiles} files per request.`, { max_files: opts.maxFiles });
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new AppError('INVALID_REQUEST', `The request has too many form fields (at most ${MAX_FIELDS}).`);
    case 'FST_PROTO_VIOLATION':
      return new AppError('INVALID_REQUEST', 'A form field name is not allowed.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('NO_FILE', `Send multipart/form-data with the file in the field "${opts.fileField}".`);
    case 'ENOSPC':
    case 'EDQUOT':
      // The upload disk filled up under MIN_FREE_DISK_MB's check (several uploads at once, or the floor is 0).
      return new AppError('INSUFFICIENT_STORAGE', 'The server ran out of disk space while storing the upload; try again later.');
    default:
      // Malformed or aborted multipart bodies surface as plain errors from busboy.
      if (err instanceof Error && /multipart|boundary|terminated early|Unexpected end|premature|aborted/i.test(`${err.message} ${code ?? ''}`)) {
        return new AppError('INVALID_REQUEST', 'The multipart body is malformed or was cut off.');
      }
      return err;
  }
}
