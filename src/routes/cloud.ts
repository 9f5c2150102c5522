import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ProviderClient } from '../cloud/client.js';
import { bearer, completedSource, exportInput } from '../cloud/export-request.js';
import { exchangeCode, validateToken } from '../cloud/oauth.js';
import { isOAuthProvider, OAUTH_APP_VARS, OAUTH_PROVIDERS, PROVIDER_LABELS, type OAuthProvider } from '../cloud/providers.js';
import { cloudSettings } from '../cloud/settings.js';
import { tokenVaultFor } from '../cloud/token-vault.js';
import { AppError, isErrorCode } from '../errors.js';
import { TaskFailure } from '../errors.js';
import { enqueue } from '../queue/index.js';
import { admit } from './submit.js';
import { CloudProviderParamsSchema, ExportBodySchema, TokenBodySchema, TokenSchema, ValidationSchema, type ExportBody, type TokenBody } from '../schemas/cloud.js';
import { ErrorSchema, JobIdParamsSchema, SubmittedSchema } from '../schemas/common.js';

/**
 * OAuth code exchange and token validation for the three drives, and POST /api/jobs/:id/export.
 * Tokens cross these routes without being logged or stored: Fastify's request log holds no
 * headers or bodies, failures are worded without them, and an export's token waits in the
 * in-memory TokenVault, never in the job row.
 */
export const cloudRoutes: FastifyPluginAsync = async (app) => {
  const settings = cloudSettings(app.config); // a bad CLOUD_* / *_BASE_URL value stops the boot here
  const vault = tokenVaultFor(app.config);
  const errorResponses = { '4xx': ErrorSchema, '5xx': ErrorSchema };

  const oauthProvider = (request: FastifyRequest): OAuthProvider => {
    const { provider } = request.params as { provider: string };
    if (!isOAuthProvider(provider)) {
      throw new AppError('NOT_FOUND', `Unknown cloud provider ${JSON.stringify(provider.slice(0, 50))}: expected one of ${OAUTH_PROVIDERS.join(', ')}.`);
    }
    return provider;
  };
  // A route answers while its caller waits: fewer retries and no long Retry-After sleeps
  // than a queued export job, and one overall deadline.
  const routeRetry = { attempts: Math.min(2, settings.retry.attempts), baseMs: settings.retry.baseMs, maxWaitMs: 5000 };
  const client = (provider: OAuthProvider, token?: string) =>
    new ProviderClient({ provider, token, signal: AbortSignal.timeout(settings.requestTimeoutMs * 2), retry: routeRetry, requestTimeoutMs: settings.requestTimeoutMs });

  app.post(
    '/api/cloud/:provider/token',
    {
      schema: {
        operationId: 'exchangeCloudCode',
        summary: 'Exchange an OAuth authorization code for tokens',
        description: 'JSON `{code, redirect_uri, code_verifier?}`. The tokens are returned to the caller and not kept by the server.',
        tags: ['cloud'],
        params: CloudProviderParamsSchema,
        body: TokenBodySchema,
        response: { 200: TokenSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const provider = oauthProvider(request);
      const oauthApp = settings.oauth[provider];
      if (!oauthApp) {
        const [idVar, secretVar] = OAUTH_APP_VARS[provider];
        throw new AppError('CLOUD_NOT_CONFIGURED', `${PROVIDER_LABELS[provider]} is not configured on this server (set ${idVar} and ${secretVar}).`);
      }
      const tokens = await exchangeCode(client(provider), settings, oauthApp, request.body as TokenBody).catch(asAppError);
      // RFC 6749 §5.1: token answers must not be cached.
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { success: true as const, provider, ...tokens };
    },
  );

  app.get(
    '/api/cloud/:provider/validate',
    {
      schema: {
        operationId: 'validateCloudToken',
        summary: 'Check an access token with the provider',
        description: 'Send the token as `Authorization: Bearer <token>`. Answers `valid: false` when the provider refuses it.',
        tags: ['cloud'],
        params: CloudProviderParamsSchema,
        response: { 200: ValidationSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const provider = oauthProvider(request);
      const token = bearer(request.headers.authorization);
      if (!token) throw new AppError('CLOUD_AUTH_FAILED', 'Send the access token as "Authorization: Bearer <token>".');
      const result = await validateToken(client(provider, token), settings).catch(asAppError);
      reply.header('cache-control', 'no-store');
      return { success: true as const, provider, ...result };
    },
  );

  app.post(
    '/api/jobs/:id/export',
    {
      schema: {
        operationId: 'exportJobResult',
        summary: 'Upload a completed job\'s result to Google Drive, Dropbox, OneDrive or S3',
        description:
          'JSON `{provider, access_token?, folder?, filename?, file?}` → 202 with the id of an `export` job; poll it like any job. ' +
          'Its `result.remote` names the uploaded file. The token is held in memory for this export only.',
        tags: ['cloud', 'jobs'],
        params: JobIdParamsSchema,
        body: ExportBodySchema,
        response: { 202: SubmittedSchema, '4xx': ErrorSchema, '5xx': ErrorSchema },
      },
    },
    async (request, reply) => {
      const body = request.body as ExportBody;
      const { row, output } = await completedSource(app, request.principal, (request.params as { id: string }).id);
      const input = await exportInput(app, row, output, body);
      const token = input.provider === 's3' ? undefined : (body.access_token ?? bearer(request.headers.authorization));
      if (input.provider !== 's3' && !token) {
        throw new AppError('INVALID_OPTIONS', `access_token is required for ${input.provider}: the user's OAuth access token (or send Authorization: Bearer).`, {
          fields: [{ field: 'access_token' }],
        });
      }
      await admit(app, request.principal);
      const id = randomUUID();
      // In the vault before the row exists: the dispatcher may claim the job the moment it is inserted.
      if (token) vault.put(id, token);
      try {
        await enqueue(app.store.db, { id, type: 'export', input, maxAttempts: app.config.jobMaxAttempts, owner: request.principal.owner, client: request.principal.client });
      } catch (err) {
        vault.delete(id);
        throw err;
      }
      app.dispatcher.wake();
      return reply.code(202).send({ success: true, job_id: id, status: 'pending', message: `Export to ${PROVIDER_LABELS[input.provider]} queued.` });
    },
  );
};

/** A provider failure in a route: the same code and message a failed export job would carry. */
function asAppError(err: unknown): never {
  if (err instanceof TaskFailure && isErrorCode(err.code)) throw new AppError(err.code, err.message);
  throw err;
}
