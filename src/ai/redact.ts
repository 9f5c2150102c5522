/**
 * Removes credentials from text that may reach a log line or a client: the configured key
 * itself, and the key shapes providers echo back in error bodies (OpenAI's 401 quotes a
 * masked `sk-proj-…abcd`; proxies echo `Authorization: Bearer …`).
 */
export function redactSecrets(text: string, secret?: string): string {
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out
    .replace(/\b(Bearer|Basic)\s+[^\s"',]+/gi, '$1 [redacted]')
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9*_.-]{6,}/g, '[redacted]')
    .replace(/\b(api[_-]?key|x-api-key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',]+/gi, '$1$2[redacted]');
}
