import t from 'tap';
import { AiClient, retryAfterMs } from '../../src/ai/client.js';
import { TaskFailure } from '../../src/errors.js';
import { FakeOpenAI, messagesOf } from '../helpers/fake-openai.js';
import { FAST_CLIENT, SECRET_KEY, callContext } from './helpers.js';

const hello = [{ role: 'user' as const, content: 'hello' }];

function client(fake: FakeOpenAI, model: string | null = 'fake-model', opts = FAST_CLIENT) {
  return new AiClient({ name: 'custom', baseURL: fake.url, apiKey: SECRET_KEY, model: model ?? undefined }, opts);
}

async function failure(p: Promise<unknown>): Promise<TaskFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TaskFailure) return err;
    throw err;
  }
  throw new Error('expected a TaskFailure');
}

t.test('a plain answer: text, model, usage; the key goes in the Authorization header only', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ content: 'hi there', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
  const { ctx } = callContext();
  const answer = await client(fake).chat(hello, ctx);
  t.equal(answer.text, 'hi there');
  t.equal(answer.model, 'fake-model');
  t.same(ctx.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, requests: 1 });
  const req = fake.chats[0]!;
  t.equal(req.headers.authorization, `Bearer ${SECRET_KEY}`);
  t.same(Object.keys(req.body).sort(), ['messages', 'model'], 'only model and messages: every provider accepts those');
});

t.test('429 then success: Retry-After is honoured, the call succeeds', async (t) => {
  const fake = await FakeOpenAI.start(t, (req) => (req.n === 0 ? { status: 429, headers: { 'retry-after-ms': '200' }, json: { error: { message: 'slow down' } } } : { content: 'ok' }));
  const { ctx, logs } = callContext();
  const started = performance.now();
  const answer = await client(fake).chat(hello, ctx);
  t.equal(answer.text, 'ok');
  t.equal(fake.chats.length, 2);
  t.ok(performance.now() - started >= 190, 'waited what the server asked (a lower bound, not a timing threshold)');
  t.match(logs.lines.find((l) => l.msg === 'AI provider call failed; retrying'), { status: 429, attempt: 1, delayMs: 200 });
});

t.test('Retry-After in seconds and as an HTTP date', async (t) => {
  t.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  t.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000), 6000);
  t.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' })), undefined);
  t.equal(retryAfterMs(new Headers()), undefined);
});

t.test('rate limited on every attempt → AI_RATE_LIMITED (retryable), after maxRetries + 1 calls', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ status: 429, headers: { 'retry-after': '0' }, json: { error: { message: 'Rate limit reached' } } }));
  const err = await failure(client(fake).chat(hello, callContext().ctx));
  t.equal(err.code, 'AI_RATE_LIMITED');
  t.equal(err.retryable, true);
  t.equal(fake.chats.length, FAST_CLIENT.maxRetries + 1);
});

t.test('a Retry-After longer than this server waits fails at once, retryable', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ status: 429, headers: { 'retry-after': '3600' }, json: { error: { message: 'quota' } } }));
  const err = await failure(client(fake).chat(hello, callContext().ctx));
  t.equal(err.code, 'AI_RATE_LIMITED');
  t.match(err.message, /asked to wait 3600 s/);
  t.equal(fake.chats.length, 1);
});

t.test('500s: retried with backoff, then AI_PROVIDER_ERROR; a 500 then success recovers', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ status: 500, json: { error: { message: 'upstream exploded' } } }));
  const err = await failure(client(fake).chat(hello, callContext().ctx));
  t.equal(err.code, 'AI_PROVIDER_ERROR');
  t.match(err.message, /answered HTTP 500: upstream exploded/);
  t.equal(fake.chats.length, 3);

  fake.responder = (req) => (req.n === 3 ? { status: 503, json: { error: { message: 'busy' } } } : { content: 'fine' });
  t.equal((await client(fake).chat(hello, callContext().ctx)).text, 'fine');
});

t.test('an answer slower than the timeout is abandoned and retried, then AI_PROVIDER_ERROR', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ delayMs: 2000, content: 'too late' }));
  const opts = { ...FAST_CLIENT, timeoutMs: 100, maxRetries: 1 };
  const err = await failure(client(fake, 'fake-model', opts).chat(hello, callContext().ctx));
  t.equal(err.code, 'AI_PROVIDER_ERROR');
  t.match(err.message, /did not answer within/);
  t.equal(fake.chats.length, 2);
});

t.test('401: not retried; the key is redacted from the message and never logged', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${SECRET_KEY}. Bearer ${SECRET_KEY}` } } }));
  const { ctx, logs } = callContext();
  const err = await failure(client(fake).chat(hello, ctx));
  t.equal(err.code, 'AI_PROVIDER_ERROR');
  t.equal(err.retryable, false);
  t.match(err.message, /rejected the credentials/);
  t.notMatch(err.message, /Zx8SECRET/);
  t.equal(fake.chats.length, 1);
  t.notMatch(JSON.stringify(logs.lines), /Zx8SECRET/);
});

t.test('a 200 that is not a completion, and an empty answer, are AI_PROVIDER_ERROR', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ raw: '<html>proxy error</html>' }));
  const opts = { ...FAST_CLIENT, maxRetries: 0 };
  t.equal((await failure(client(fake, 'm', opts).chat(hello, callContext().ctx))).code, 'AI_PROVIDER_ERROR');
  fake.responder = () => ({ content: '   ' });
  t.match(await failure(client(fake, 'm', opts).chat(hello, callContext().ctx)), { code: 'AI_PROVIDER_ERROR', message: /empty answer/ });
});

t.test('a cancelled job stops waiting at once: the abort propagates, no more attempts', async (t) => {
  const fake = await FakeOpenAI.start(t, () => ({ status: 503, headers: { 'retry-after': '1' }, json: {} }));
  const controller = new AbortController();
  const p = client(fake).chat(hello, callContext(controller.signal).ctx);
  setTimeout(() => controller.abort(new Error('cancelled')), 50);
  await t.rejects(p, /cancelled/);
  t.equal(fake.chats.length, 1);
});

t.test('no AI_MODEL: the first model the server lists is used', async (t) => {
  const fake = await FakeOpenAI.start(t, (req) => ({ content: `model=${req.body.model}` }));
  fake.models = ['llama3.2:3b'];
  const c = client(fake, null);
  t.equal((await c.chat(hello, callContext().ctx)).text, 'model=llama3.2:3b');
  await c.chat(hello, callContext().ctx);
  t.equal(fake.requests.filter((r) => r.path.endsWith('/models')).length, 1, 'listed once');
  fake.models = [];
  t.match(await failure(client(fake, null).chat(hello, callContext().ctx)), { code: 'AI_PROVIDER_ERROR', message: /set AI_MODEL/ });
});

t.test('reasoning models: a leading <think> block is dropped', async (t) => {
  const fake = await FakeOpenAI.start(t, (req) => ({ content: `<think>pondering ${messagesOf(req).user}</think>\n\nThe answer.` }));
  t.equal((await client(fake).chat(hello, callContext().ctx)).text, 'The answer.');
});
