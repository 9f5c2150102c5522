import { Type, type Static } from '@sinclair/typebox';

/** Form fields of POST /api/compress (and /api/bulk). Multipart values arrive as strings and are converted. */
export const CompressOptionsSchema = Type.Object({
  compressionLevel: Type.Union(
    ['low', 'medium', 'high', 'maximum'].map((l) => Type.Literal(l)),
    { default: 'medium', description: 'low = lossless; higher levels also downsample and re-encode images' },
  ),
  imageQuality: Type.Integer({ minimum: 10, maximum: 100, default: 80, description: 'JPEG quality of re-encoded images' }),
});
export type CompressOptions = Static<typeof CompressOptionsSchema> & { compressionLevel: 'low' | 'medium' | 'high' | 'maximum' };
