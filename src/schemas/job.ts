import { Type, type Static } from '@sinclair/typebox';

export const JobStatusSchema = Type.Union(
  ['pending', 'processing', 'completed', 'failed', 'cancelled', 'expired'].map((s) => Type.Literal(s)),
);

/** GET /api/jobs/:id. */
export const JobSchema = Type.Object(
  {
    success: Type.Literal(true),
    job_id: Type.String({ format: 'uuid' }),
    status: JobStatusSchema,
    task_type: Type.String(),
    progress: Type.Object({ percent: Type.Integer({ minimum: 0, maximum: 100 }), stage: Type.Union([Type.String(), Type.Null()]) }),
    attempts: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    started_at: Type.Optional(Type.String({ format: 'date-time' })),
    finished_at: Type.Optional(Type.String({ format: 'date-time' })),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
    result: Type.Optional(Type.Object({}, { additionalProperties: true })),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    download_url: Type.Optional(
      Type.String({ description: 'signed link to the result, usable without a key until it expires (LINK_TTL_S); add `&file=N` for one file of a bulk job' }),
    ),
    events_url: Type.Optional(Type.String({ description: 'signed link to the event stream (for EventSource), usable without a key until it expires' })),
    webhook: Type.Optional(
      Type.Object({
        status: Type.Union([Type.Literal('waiting'), Type.Literal('pending'), Type.Literal('queued'), Type.Literal('delivered'), Type.Literal('failed')]),
        attempts: Type.Integer(),
        last_error: Type.Optional(Type.String()),
      }),
    ),
  },
  { $id: 'Job' },
);
export type JobBody = Static<typeof JobSchema>;

/** DELETE /api/jobs/:id. */
export const JobDeletedSchema = Type.Object({
  success: Type.Literal(true),
  job_id: Type.String(),
  status: JobStatusSchema,
  message: Type.String(),
});
