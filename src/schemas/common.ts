import { Type, type Static } from '@sinclair/typebox';
import { JobSchema } from './job.js';

/** The error envelope (README "Use it"), for every 4xx/5xx answer. */
export const ErrorSchema = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. INVALID_PDF' }),
      message: Type.String({ description: 'human-readable explanation' }),
      details: Type.Optional(Type.Unknown()),
      timestamp: Type.String({ format: 'date-time' }),
    }),
    request_id: Type.String(),
  },
  { $id: 'Error', description: 'Error envelope' },
);
export type ErrorBody = Static<typeof ErrorSchema>;

/** 202 answer of every submission route. */
export const SubmittedSchema = Type.Object(
  {
    success: Type.Literal(true),
    job_id: Type.String({ format: 'uuid' }),
    status: Type.String(),
    message: Type.String(),
    file_count: Type.Optional(Type.Integer()),
  },
  { $id: 'Submitted' },
);

/** The query every submission route takes. */
export const SubmitQuerySchema = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 120,
      description: 'wait up to this many seconds: a job that finishes in time answers 200 with its result; otherwise the usual 202 (the job exists either way)',
    }),
  ),
});

export const JobIdParamsSchema = Type.Object({ id: Type.String({ description: 'job id (UUID)' }) });

/** The query of a signed link (download_url, events_url of the job JSON): both or neither. */
export const SignedLinkQuery = {
  expires: Type.Optional(Type.String({ pattern: '^\\d{1,12}$', description: 'signed links: expiry (unix seconds)' })),
  sig: Type.Optional(Type.String({ description: 'signed links: base64url HMAC-SHA256 of method, path and expiry' })),
};

/** Response map shared by submission routes: 202 plus every error status they can answer. */
export const submitResponses = {
  200: {
    description:
      'With `?wait=S`, when the job finished within S seconds: the result file itself (Content-Disposition names it; a bulk job: the zip), or for results without a file the job JSON. `X-Job-Id` names the job.',
    content: {
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
      'application/json': { schema: JobSchema },
    },
  },
  202: SubmittedSchema,
  '4xx': ErrorSchema,
  '5xx': ErrorSchema,
};

/** What a preview found in a PDF that can run or reach out (workers/active-content.ts). */
export const ActiveContentSchema = Type.Object(
  {
    javascript: Type.Integer(),
    launch: Type.Integer(),
    uri: Type.Integer(),
    submit_form: Type.Integer(),
    remote_goto: Type.Integer(),
    embedded_files: Type.Integer(),
    multimedia: Type.Integer(),
    forms: Type.Object({ fields: Type.Integer(), xfa: Type.Boolean() }),
    open_action: Type.Boolean(),
  },
  { description: 'scripts, launch/URI/submit/remote actions, attached files, media and forms found; sanitize=true removes them' },
);
