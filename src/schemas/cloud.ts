import { Type, type Static } from '@sinclair/typebox';
import { EXPORT_PROVIDERS, OAUTH_PROVIDERS } from '../cloud/providers.js';

/**
 * Cloud routes. Providers are plain strings in params and body and are checked by the route,
 * so an unknown one gets a message naming it and the accepted values (404 in a path, 400 in a
 * body) rather than a generic schema error.
 */
export const CloudProviderParamsSchema = Type.Object({
  provider: Type.String({ description: `one of ${OAUTH_PROVIDERS.join(', ')}` }),
});

export const TokenBodySchema = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 4096, description: 'authorization code from the provider redirect' }),
    redirect_uri: Type.String({ minLength: 1, maxLength: 2048, description: 'the redirect_uri used to obtain the code' }),
    code_verifier: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'PKCE verifier, when the code was obtained with a challenge' })),
  },
  { additionalProperties: false },
);
export type TokenBody = Static<typeof TokenBodySchema>;

export const TokenSchema = Type.Object(
  {
    success: Type.Literal(true),
    provider: Type.String(),
    access_token: Type.String(),
    token_type: Type.Optional(Type.String()),
    expires_in: Type.Optional(Type.Integer({ description: 'seconds' })),
    refresh_token: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    id_token: Type.Optional(Type.String()),
    account_id: Type.Optional(Type.String()),
  },
  { $id: 'CloudTokens', description: 'The provider tokens, passed through and never stored by the server' },
);

export const ValidationSchema = Type.Object(
  {
    success: Type.Literal(true),
    provider: Type.String(),
    valid: Type.Boolean(),
    account: Type.Optional(Type.Object({ id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), email: Type.Optional(Type.String()) })),
    expires_in: Type.Optional(Type.Integer({ description: 'seconds left, when the provider tells (Google)' })),
  },
  { $id: 'CloudValidation' },
);

export const ExportBodySchema = Type.Object(
  {
    provider: Type.String({ description: `one of ${EXPORT_PROVIDERS.join(', ')}` }),
    access_token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'OAuth access token (not for s3); or send Authorization: Bearer' })),
    folder: Type.Optional(
      Type.String({ maxLength: 1024, description: 'folder path under the drive root / key prefix (s3); for google_drive a folder id' }),
    ),
    filename: Type.Optional(Type.String({ maxLength: 255, description: 'name of the uploaded file (default: the download name)' })),
    file: Type.Optional(Type.Integer({ minimum: 0, description: 'one file of a multi-file result, as ?file=N of the download' })),
  },
  { additionalProperties: false },
);
export type ExportBody = Static<typeof ExportBodySchema>;
