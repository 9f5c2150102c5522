import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Query parameters that carry credentials: never written to a log line. */
const SECRET_PARAMS = /([?&](?:api_key|access_token|token|key)=)[^&]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/**
 * One JSON line per request, written when it completes: request id, method, route pattern,
 * URL (credentials redacted), status and duration. Fastify's default is two lines per
 * request (incoming + completed) with the raw URL; the incoming one is kept at debug level.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: redactUrl(request.url) }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: redactUrl(request.url),
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error || reply.statusCode >= 500) reply.log.error({ ...line, err: error ?? undefined }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
