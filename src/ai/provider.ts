import type { Env } from '../config.js';

/** Where AI calls go. `apiKey` is a secret: it is handed to the SDK and nowhere else. */
export interface Provider {
  /** openai | openrouter | custom: for logs and results (never the key, never the full URL). */
  name: 'openai' | 'openrouter' | 'custom';
  baseURL: string;
  apiKey: string;
  /** Undefined: ask the server (GET /models) and use the first model it serves. */
  model: string | undefined;
}

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';
/** Cheap, fast, good at summaries and JSON; override with AI_MODEL. */
export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';
export const OPENROUTER_DEFAULT_MODEL = 'openai/gpt-4o-mini';

/**
 * Local servers (Ollama, vLLM, LM Studio) need no key, but the SDK refuses an empty one and
 * some servers reject a request without an Authorization header: send a placeholder.
 */
const NO_KEY = 'not-needed';

type AiEnv = Pick<Env, 'AI_BASE_URL' | 'AI_API_KEY' | 'AI_MODEL' | 'OPENAI_API_KEY' | 'OPENROUTER_API_KEY'>;

export type ProviderResolution = { provider: Provider } | { provider: undefined; problem?: string };

/**
 * The environment → one provider, or none. Precedence: an explicit AI_BASE_URL (any
 * OpenAI-compatible server: Anthropic's /v1, Ollama, vLLM, LM Studio…), then the
 * OPENAI_API_KEY shortcut, then OPENROUTER_API_KEY, then a bare AI_API_KEY (OpenAI).
 * A malformed AI_BASE_URL disables AI with a `problem` the caller logs, rather than
 * sending requests (and a key) somewhere unintended.
 */
export function resolveProvider(env: AiEnv): ProviderResolution {
  const model = env.AI_MODEL?.trim() || undefined;
  const baseRaw = env.AI_BASE_URL?.trim();
  if (baseRaw) {
    let url: URL;
    try {
      url = new URL(baseRaw);
    } catch {
      return { provider: undefined, problem: 'AI_BASE_URL is not a valid URL; AI features are disabled.' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { provider: undefined, problem: 'AI_BASE_URL must be an http(s) URL; AI features are disabled.' };
    }
    const baseURL = url.href.replace(/\/+$/, '');
    // A shortcut key goes with its own host only, never to another server.
    const shortcutKey = url.host === 'api.openai.com' ? env.OPENAI_API_KEY : url.host === 'openrouter.ai' ? env.OPENROUTER_API_KEY : undefined;
    const name = url.host === 'api.openai.com' ? 'openai' : url.host === 'openrouter.ai' ? 'openrouter' : 'custom';
    return { provider: { name, baseURL, apiKey: env.AI_API_KEY?.trim() || shortcutKey?.trim() || NO_KEY, model } };
  }
  if (env.OPENAI_API_KEY?.trim()) {
    return { provider: { name: 'openai', baseURL: OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY.trim(), model: model ?? OPENAI_DEFAULT_MODEL } };
  }
  if (env.OPENROUTER_API_KEY?.trim()) {
    return { provider: { name: 'openrouter', baseURL: OPENROUTER_BASE_URL, apiKey: env.OPENROUTER_API_KEY.trim(), model: model ?? OPENROUTER_DEFAULT_MODEL } };
  }
  if (env.AI_API_KEY?.trim()) {
    return { provider: { name: 'openai', baseURL: OPENAI_BASE_URL, apiKey: env.AI_API_KEY.trim(), model: model ?? OPENAI_DEFAULT_MODEL } };
  }
  return { provider: undefined };
}
