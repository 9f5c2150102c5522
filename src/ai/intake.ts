import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Static, TObject } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import { MAX_TEXT_BYTES } from '../schemas/ai.js';
import { parseFields } from '../schemas/fields.js';
import { receiveMultipart, type Intake } from '../storage/upload.js';
import { MAX_SCHEMA_BYTES } from './json-schema.js';
import type { TextSource } from './job-input.js';

/** An AI submission received and staged: input-0 is the PDF, or the JSON text as UTF-8. */
export interface AiIntake extends Intake {
  source: TextSource;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A summarize/translate submission: multipart with a PDF in `file`, or a JSON body with
 * `text`. JSON text is written to the staging folder like an upload, so both kinds become
 * a job through the same submitJob (idempotent job_id, inputs in temp/<job>/) and the job
 * row stays small.
 */
export async function receiveTextOrPdf(app: FastifyInstance, request: FastifyRequest): Promise<AiIntake> {
  if (request.isMultipart()) return receivePdf(app, request);
  const body = request.body;
  if (!isObject(body)) {
    throw new AppError('INVALID_OPTIONS', 'Send a JSON object {"text": "…"} or multipart/form-data with a PDF in the field "file".');
  }
  if (typeof body.text !== 'string' || !/\S/.test(body.text)) {
    throw new AppError('INVALID_OPTIONS', 'text must be a non-empty string.', { fields: [{ field: 'text' }] });
  }
  const data = Buffer.from(body.text, 'utf8');
  if (data.length > MAX_TEXT_BYTES) {
    throw new AppError('TEXT_TOO_LARGE', `The text is ${Math.ceil(data.length / 1024)} KB; the limit is ${MAX_TEXT_BYTES / 1024} KB. Send a longer document as a PDF in "file".`, {
      max_bytes: MAX_TEXT_BYTES,
    });
  }
  const dir = await app.storage.newStagingDir();
  const file = path.join(dir, 'input-0');
  try {
    await writeFile(file, data, { flag: 'wx' });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, files: [{ index: 0, path: file, clientName: 'text.txt', size: data.length, head: data.subarray(0, 1024) }], fields: body, source: 'text' };
}

export async function receivePdf(app: FastifyInstance, request: FastifyRequest): Promise<AiIntake> {
  // The extraction route's schema field may be MAX_SCHEMA_BYTES (+1 so a larger one is told so by readSchema).
  const upload = await receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes, maxFieldSize: MAX_SCHEMA_BYTES + 1 });
  return { dir: upload.dir, files: upload.files, fields: upload.fields, source: 'pdf' };
}

/**
 * `options`: an object in a JSON body, a JSON string in a form. Read like form fields
 * (parseFields: only known keys, defaults filled, a bad value named in a 400).
 */
export function parseOptions<T extends TObject>(schema: T, raw: unknown): Static<T> {
  let value = raw;
  if (raw === undefined || raw === null || raw === '') value = {};
  else if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AppError('INVALID_OPTIONS', 'options must be a JSON object.', { fields: [{ field: 'options' }] });
    }
  }
  if (!isObject(value)) throw new AppError('INVALID_OPTIONS', 'options must be a JSON object.', { fields: [{ field: 'options' }] });
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) fields[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return parseFields(schema, fields);
}
