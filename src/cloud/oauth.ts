import { TaskFailure } from '../errors.js';
import type { ProviderClient } from './client.js';
import { summary } from './failures.js';
import { field, stringField } from './http.js';
import { OAUTH_APP_VARS, PROVIDER_LABELS, type OAuthProvider } from './providers.js';
import type { CloudSettings, OAuthApp } from './settings.js';

/**
 * The OAuth side of the original API: trade an authorization code for tokens (the client
 * secret stays on the server), and check a token against the provider's "who am I" call.
 * Tokens pass through to the client and are neither stored nor logged.
 */
export interface TokenSet {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
  account_id?: string;
}

export interface Validation {
  valid: boolean;
  account?: { id?: string; name?: string; email?: string };
  expires_in?: number;
}

export function tokenEndpoint(settings: CloudSettings, provider: OAuthProvider): string {
  const u = settings.urls;
  if (provider === 'google_drive') return `${u.GOOGLE_OAUTH_BASE_URL}/token`;
  if (provider === 'dropbox') return `${u.DROPBOX_API_BASE_URL}/oauth2/token`;
  return `${u.ONEDRIVE_AUTH_BASE_URL}/token`;
}

/** RFC 6749 §4.1.3, the same form for all three. One try: a code is single-use. */
export async function exchangeCode(
  client: ProviderClient,
  settings: CloudSettings,
  app: OAuthApp,
  grant: { code: string; redirect_uri: string; code_verifier?: string | undefined },
): Promise<TokenSet> {
  const provider = client.provider as OAuthProvider;
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: grant.code, redirect_uri: grant.redirect_uri, client_id: app.clientId, client_secret: app.clientSecret });
  if (grant.code_verifier) form.set('code_verifier', grant.code_verifier);
  const doing = 'exchanging the authorization code';
  const answer = await client.send({ method: 'POST', url: tokenEndpoint(settings, provider), headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
  if (answer.status === 400 || answer.status === 401) {
    const error = stringField(answer.json, 'error', 100);
    const said = summary(provider, answer, grant.code);
    if (error === 'invalid_client' || error === 'unauthorized_client') {
      const [idVar, secretVar] = OAUTH_APP_VARS[provider];
      throw new TaskFailure('CLOUD_PROVIDER_ERROR', `${PROVIDER_LABELS[provider]} refused this server's OAuth app (${said}); check ${idVar} and ${secretVar}.`, false);
    }
    throw new TaskFailure('CLOUD_AUTH_FAILED', `${PROVIDER_LABELS[provider]} refused the authorization code (${said}); start the sign-in again.`, false);
  }
  const body = client.expect(answer, doing, [200]);
  const access = stringField(body, 'access_token', 8192);
  if (!access) throw new TaskFailure('CLOUD_PROVIDER_ERROR', `${PROVIDER_LABELS[provider]} answered the code exchange without an access token.`, true);
  const tokens: TokenSet = { access_token: access };
  for (const key of ['token_type', 'refresh_token', 'scope', 'id_token', 'account_id'] as const) {
    const v = stringField(body, key, 8192);
    if (v) tokens[key] = v;
  }
  const expires = seconds(field(body, 'expires_in'));
  if (expires !== undefined) tokens.expires_in = expires;
  return tokens;
}

/** 401/403 (and Dropbox's 400 for a malformed token) mean "not usable"; other failures are errors. */
export async function validateToken(client: ProviderClient, settings: CloudSettings): Promise<Validation> {
  const u = settings.urls;
  const provider = client.provider as OAuthProvider;
  const doing = 'checking the access token';
  const req =
    provider === 'google_drive'
      ? { method: 'GET', url: `${u.GOOGLE_API_BASE_URL}/drive/v3/about?fields=user` }
      : provider === 'dropbox'
        ? { method: 'POST', url: `${u.DROPBOX_API_BASE_URL}/2/users/get_current_account` }
        : { method: 'GET', url: `${u.ONEDRIVE_GRAPH_BASE_URL}/me` };
  const answer = await client.request(req, doing);
  if (answer.status === 400 || answer.status === 401 || answer.status === 403) return { valid: false };
  const body = client.expect(answer, doing, [200]);
  const result: Validation = { valid: true, account: account(provider, body) };
  if (provider === 'google_drive') {
    // tokeninfo, as Google's own auth library calls it: POST with the token as Bearer, so the
    // token never sits in a URL. Only for expires_in; its failure does not change the answer.
    const info = await client.send({ method: 'POST', url: `${u.GOOGLE_OAUTH_BASE_URL}/tokeninfo`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }).catch(() => undefined);
    const expires = info?.status === 200 ? seconds(field(info.json, 'expires_in')) : undefined;
    if (expires !== undefined) result.expires_in = expires;
  }
  return result;
}

function account(provider: OAuthProvider, body: unknown): Validation['account'] {
  const pick = (id: unknown, name: unknown, email: unknown) => {
    const out: NonNullable<Validation['account']> = {};
    if (typeof id === 'string' && id.length <= 500) out.id = id;
    if (typeof name === 'string' && name.length <= 500) out.name = name;
    if (typeof email === 'string' && email.length <= 500) out.email = email;
    return out;
  };
  if (provider === 'google_drive') {
    const user = field(body, 'user');
    return pick(field(user, 'permissionId'), field(user, 'displayName'), field(user, 'emailAddress'));
  }
  if (provider === 'dropbox') return pick(field(body, 'account_id'), field(field(body, 'name'), 'display_name'), field(body, 'email'));
  return pick(field(body, 'id'), field(body, 'displayName'), field(body, 'mail') ?? field(body, 'userPrincipalName'));
}

/** expires_in as a whole number of seconds (Google's tokeninfo sends it as a string). */
function seconds(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e9 ? n : undefined;
}
