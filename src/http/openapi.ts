import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { ERRORS } from '../errors.js';
import { version } from '../version.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The multipart form of a route, for the OpenAPI document only: multipart bodies are
     * streamed by the handler (request.parts()), so Fastify must not validate a body schema.
     */
    openapiBody?: unknown;
  }
}

/**
 * A form field with a default need not be sent: typebox lists it as required (the parsed
 * options always have it), so it is taken out of `required` for the document (a generated
 * client then does not demand it).
 */
function optionalDefaults(schema: unknown): unknown {
  const s = schema as { properties?: Record<string, { default?: unknown }>; required?: string[] };
  if (!s.properties || !s.required) return schema;
  const { required: all, ...rest } = s;
  const required = all.filter((k) => s.properties![k]?.default === undefined);
  return required.length ? { ...rest, required } : rest;
}

const errorTable = Object.entries(ERRORS)
  .map(([code, [status, message]]) => `| \`${code}\` | ${status} | ${message} |`)
  .join('\n');

/**
 * The OpenAPI 3 document generated from the routes' typebox schemas, at GET /docs/json, with
 * Swagger UI at GET /docs. Registered before the routes so that every route is collected.
 */
export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'pdf-smaller',
          version,
          license: { name: 'AGPL-3.0-or-later', url: 'https://www.gnu.org/licenses/agpl-3.0.html' },
          description:
            'Self-hosted PDF processing: submit a file, get a job id at once (202), poll `GET /api/jobs/{id}` ' +
            '(or follow `GET /api/jobs/{id}/events`), then download the result.\n\n' +
            'Every error answers `{success: false, error: {code, message, details?, timestamp}, request_id}`. Codes:\n\n' +
            `| code | HTTP | meaning |\n|---|---|---|\n${errorTable}`,
        },
        // Relative to where this document is served: the same server answers the API.
        servers: [{ url: '/', description: 'this server' }],
        components: {
          securitySchemes: {
            apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
            metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the server sets it' },
          },
        },
        security: [{ apiKey: [] }],
        tags: [
          { name: 'compression', description: 'Make PDFs smaller' },
          { name: 'jobs', description: 'Status, progress, results' },
          { name: 'system', description: 'Health, metrics, capabilities' },
        ],
      },
      transform: ({ schema, url, route }) => {
        const s = { ...(schema as Record<string, unknown>) };
        const body = (route as { config?: { openapiBody?: unknown } }).config?.openapiBody;
        if (body) {
          s.body = optionalDefaults(body);
          s.consumes = ['multipart/form-data'];
        }
        return { schema: s as typeof schema, url };
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  },
  { name: 'openapi' },
);
