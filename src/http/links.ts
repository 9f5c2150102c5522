import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { AppError } from '../errors.js';

/**
 * Signed, expiring links for what a browser cannot send a header with (`<a href>` downloads,
 * `EventSource`): `/api/jobs/<id>/download?expires=<unix s>&sig=<base64url HMAC-SHA256>`,
 * the HMAC taken over the method, the path and the expiry with LINK_SECRET. The path is the
 * route's own (`/api/jobs/:id/…` with the id the router decoded), so a link is checked the
 * same way however the URL is spelled. Other query parameters (`file=N` of a bulk download)
 * select inside what the link grants and are not signed.
 *
 * Expiries are rounded up to a step (a tenth of LINK_TTL_S, at most 5 minutes), so polling a
 * job gives the same links for a while (stable JSON, quiet event streams), and a link is valid
 * for at least LINK_TTL_S after it was handed out.
 */
export class LinkSigner {
  private readonly step: number;

  constructor(
    private readonly secret: Buffer,
    private readonly ttlMs: number,
  ) {
    this.step = Math.min(300, Math.max(1, Math.floor(ttlMs / 10_000))) * 1000; // whole seconds
  }

  /** `path?expires=…&sig=…`, valid until about LINK_TTL_S after `now`. */
  sign(method: string, path: string, now = Date.now()): string {
    const exp = Math.ceil((now + this.ttlMs) / this.step) * this.step / 1000;
    return `${path}?expires=${exp}&sig=${this.mac(method, path, exp)}`;
  }

  /** Does the request carry link parameters (then they must be valid: verify)? */
  present(request: FastifyRequest): boolean {
    const q = request.query as Record<string, unknown> | undefined;
    return q !== undefined && (q.sig !== undefined || q.expires !== undefined);
  }

  /**
   * The job id the request's link grants, or 403 INVALID_LINK: a changed path, method, expiry
   * or signature, a missing part, or an expired link.
   */
  verify(request: FastifyRequest, now = Date.now()): string {
    const q = request.query as Record<string, unknown>;
    const params = request.params as Record<string, unknown>;
    const route = request.routeOptions.url ?? '';
    const id = typeof params.id === 'string' ? params.id : '';
    const path = route.replace(':id', id);
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const exp = typeof q.expires === 'string' && /^\d{1,12}$/.test(q.expires) ? Number(q.expires) : NaN;
    const sig = typeof q.sig === 'string' ? Buffer.from(q.sig) : Buffer.alloc(0);
    const want = Buffer.from(Number.isFinite(exp) ? this.mac(method, path, exp) : '');
    if (!id || want.length === 0 || sig.length !== want.length || !timingSafeEqual(sig, want)) {
      throw new AppError('INVALID_LINK');
    }
    if (exp * 1000 <= now) throw new AppError('INVALID_LINK', 'The link has expired; read the job again for a fresh one.');
    return id.toLowerCase();
  }

  private mac(method: string, path: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${method}\n${path}\n${exp}`).digest('base64url');
  }
}

/**
 * LINK_SECRET, or the secret generated at first start and kept in the database, so links
 * survive restarts and every node on a shared PostgreSQL signs and checks them alike. The
 * first process to insert it wins; the others read the winner's.
 */
export async function linkSecret(db: Kysely<Database>, configured: string | undefined): Promise<Buffer> {
  if (configured) return Buffer.from(configured);
  const fresh = randomBytes(32).toString('base64url');
  await sql`INSERT INTO secrets (name, value) VALUES ('link', ${fresh}) ON CONFLICT (name) DO NOTHING`.execute(db);
  const row = await db.selectFrom('secrets').select('value').where('name', '=', 'link').executeTakeFirstOrThrow();
  return Buffer.from(row.value);
}
