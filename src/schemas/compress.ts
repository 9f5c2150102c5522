import { Type, type Static } from '@sinclair/typebox';

/** Form fields of POST /api/compress (and /api/bulk). Multipart values arrive as strings and are converted. */
export const CompressOptionsSchema = Type.Object({
  compressionLevel: Type.Union(
    ['low', 'medium', 'high', 'maximum'].map((l) => Type.Literal(l)),
    { default: 'medium', description: 'low = lossless; higher levels also downsample and re-encode images' },
  ),
  imageQuality: Type.Integer({ minimum: 10, maximum: 100, default: 80, description: 'JPEG quality of re-encoded images' }),
  grayscale: Type.Optional(Type.Boolean({ description: 'convert images to gray' })),
  removeMetadata: Type.Optional(Type.Boolean({ description: 'drop document info, XMP metadata and PieceInfo' })),
  sanitize: Type.Optional(Type.Boolean({ description: 'remove active content first: scripts, launch/URI/submit actions, attached files, media, XFA (result.sanitized lists what)' })),
  // minimum, not exclusiveMinimum: OpenAPI 3.0 (draft-4 schemas) only knows the boolean form.
  targetSizeMB: Type.Optional(Type.Number({ minimum: 0.01, maximum: 100_000, description: 'try stronger settings until the file fits; result.target_met says whether it did' })),
});
export type CompressOptions = Static<typeof CompressOptionsSchema> & { compressionLevel: 'low' | 'medium' | 'high' | 'maximum' };

const submissionFields = {
  password: Type.Optional(Type.String({ description: 'opens a password-protected PDF (used once at submission: the stored copy is decrypted; the password is never stored)' })),
  job_id: Type.Optional(Type.String({ format: 'uuid', description: 'client-chosen id: resubmitting it returns the same job' })),
  webhook_url: Type.Optional(Type.String({ format: 'uri', description: 'POSTed the final job JSON (signed with WEBHOOK_SECRET)' })),
};

/** The multipart form of POST /api/compress, for the OpenAPI document. */
export const CompressFormSchema = Type.Object({
  file: Type.String({ format: 'binary', description: 'the PDF' }),
  ...CompressOptionsSchema.properties,
  ...submissionFields,
});

/** The multipart form of POST /api/bulk, for the OpenAPI document. */
export const BulkFormSchema = Type.Object({
  files: Type.Array(Type.String({ format: 'binary' }), { description: 'the PDFs (repeat the field)' }),
  ...CompressOptionsSchema.properties,
  ...submissionFields,
});
