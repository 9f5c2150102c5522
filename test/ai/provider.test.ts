import t from 'tap';
import { OPENAI_BASE_URL, OPENROUTER_BASE_URL, resolveProvider } from '../../src/ai/provider.js';
import { parseLanguage } from '../../src/ai/languages.js';
import { redactSecrets } from '../../src/ai/redact.js';

t.test('provider resolution: explicit base URL, shortcuts, local servers, nothing', async (t) => {
  t.same(resolveProvider({}), { provider: undefined });
  t.match(resolveProvider({ OPENAI_API_KEY: 'sk-o' }), { provider: { name: 'openai', baseURL: OPENAI_BASE_URL, apiKey: 'sk-o', model: 'gpt-4o-mini' } });
  t.match(resolveProvider({ OPENROUTER_API_KEY: 'sk-or', AI_MODEL: 'anthropic/claude-3.5-haiku' }), {
    provider: { name: 'openrouter', baseURL: OPENROUTER_BASE_URL, apiKey: 'sk-or', model: 'anthropic/claude-3.5-haiku' },
  });
  t.match(resolveProvider({ AI_BASE_URL: 'http://localhost:11434/v1/', AI_MODEL: 'llama3.2' }), {
    provider: { name: 'custom', baseURL: 'http://localhost:11434/v1', apiKey: 'not-needed', model: 'llama3.2' },
  }, 'Ollama: no key needed, trailing slash dropped');
  t.match(resolveProvider({ AI_BASE_URL: 'https://api.anthropic.com/v1/', AI_API_KEY: 'sk-ant-x', AI_MODEL: 'claude-sonnet-4-5' }), {
    provider: { name: 'custom', baseURL: 'https://api.anthropic.com/v1', apiKey: 'sk-ant-x' },
  });
  t.match(resolveProvider({ AI_BASE_URL: 'http://vllm:8000/v1' }), { provider: { model: undefined } }, 'no model: asked from the server later');
  t.match(resolveProvider({ AI_API_KEY: 'sk-bare' }), { provider: { name: 'openai', baseURL: OPENAI_BASE_URL, apiKey: 'sk-bare' } });
});

t.test('a shortcut key is only sent to its own host', async (t) => {
  t.match(resolveProvider({ AI_BASE_URL: 'http://evil.example/v1', OPENAI_API_KEY: 'sk-o' }), { provider: { apiKey: 'not-needed' } });
  t.match(resolveProvider({ AI_BASE_URL: 'https://openrouter.ai/api/v1', OPENROUTER_API_KEY: 'sk-or' }), { provider: { name: 'openrouter', apiKey: 'sk-or' } });
  t.match(resolveProvider({ AI_BASE_URL: 'https://api.openai.com/v1', OPENAI_API_KEY: 'sk-o', AI_API_KEY: 'sk-explicit' }), { provider: { apiKey: 'sk-explicit' } });
});

t.test('a malformed AI_BASE_URL disables AI with a reason (and wins over the shortcuts)', async (t) => {
  t.match(resolveProvider({ AI_BASE_URL: 'not a url', OPENAI_API_KEY: 'sk-o' }), { provider: undefined, problem: /not a valid URL/ });
  t.match(resolveProvider({ AI_BASE_URL: 'ftp://host/v1' }), { provider: undefined, problem: /http\(s\)/ });
});

t.test('ISO 639-1 codes, with optional region or script', async (t) => {
  t.same(parseLanguage('fr'), { code: 'fr', name: 'French' });
  t.same(parseLanguage(' DE '), { code: 'de', name: 'German' });
  t.same(parseLanguage('pt_br'), { code: 'pt-BR', name: 'Portuguese (BR)' });
  t.same(parseLanguage('zh-hant'), { code: 'zh-Hant', name: 'Chinese (Hant)' });
  for (const bad of ['xx', 'french', 'eng', '', 'e', 'fr-', 'fr-FRA1', 42, null, undefined, '../fr']) t.equal(parseLanguage(bad), undefined, String(bad));
});

t.test('secrets are removed from text: the key itself and key-shaped tokens', async (t) => {
  const key = 'my-very-secret-local-key';
  const out = redactSecrets(`bad key ${key}; Authorization: Bearer abc.def; sk-proj-abcdef123456; api_key=zzz999`, key);
  t.notMatch(out, /very-secret|abc\.def|abcdef123456|zzz999/);
  t.match(out, /bad key \[redacted\]/);
});
