import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';

/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (POST
 * /v1/chat/completions, GET /v1/models) on 127.0.0.1: the AI code under test talks to it
 * through the real SDK and real sockets. Each test scripts the answers with a responder and
 * reads back what the server received.
 */
export interface FakeRequest {
  /** 0-based order of arrival (all routes). */
  n: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** The answer's message content (wrapped in a chat.completion object). */
  content?: string;
  /** A whole JSON body instead of a completion (errors, odd shapes). */
  json?: unknown;
  /** Raw body bytes (malformed answers). */
  raw?: string;
  /** Wait this long before answering (past the client's timeout, to test it). */
  delayMs?: number;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

export type Responder = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export const DEFAULT_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

/** The system and last user message of a chat request. */
export function messagesOf(req: FakeRequest): { system: string; user: string } {
  const messages = (req.body?.messages ?? []) as { role: string; content: string }[];
  return {
    system: messages.find((m) => m.role === 'system')?.content ?? '',
    user: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
  };
}

/**
 * Plausible answers by task, told apart by the system prompt: translations mark each
 * non-empty line with "[xx] " (line breaks kept), summaries say which step made them.
 */
export const defaultResponder: Responder = (req) => {
  const { system, user } = messagesOf(req);
  if (/translator/i.test(system)) {
    const code = /into [^(]*\(([a-z]{2}(?:-[A-Za-z]+)?)\)/.exec(system)?.[1] ?? 'xx';
    return { content: user.split('\n').map((l) => (l.trim() ? `[${code}] ${l}` : l)).join('\n') };
  }
  if (/combine summaries/i.test(system)) return { content: 'Combined summary of the whole document.' };
  if (/summarise parts/i.test(system)) return { content: `Summary of ${/part (\d+) of (\d+)/.exec(user)?.[0] ?? 'a part'}.` };
  if (/summarise documents/i.test(system)) return { content: 'A model-written summary.' };
  if (/analyse documents/i.test(system)) {
    return {
      content: JSON.stringify({
        document_type: 'report',
        language: 'en',
        summary: 'A test document.',
        key_points: ['It has pages.'],
        entities: [{ text: 'ACME Corp', type: 'organization' }],
      }),
    };
  }
  return { content: '{}' };
};

export class FakeOpenAI {
  readonly requests: FakeRequest[] = [];
  responder: Responder = defaultResponder;
  models = ['fake-model'];
  private server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Starts on a free port; closed when the test ends. */
  static async start(t: Test, responder?: Responder): Promise<FakeOpenAI> {
    const fake = new FakeOpenAI();
    if (responder) fake.responder = responder;
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => fake.close());
    return fake;
  }

  /** The base URL to configure as AI_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Back to a clean state between tests sharing one server: no requests, default answers. */
  reset(): void {
    this.requests.length = 0;
    this.responder = defaultResponder;
    this.models = ['fake-model'];
  }

  /** Requests to /chat/completions only. */
  get chats(): FakeRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections(); // slow answers still pending must not hold the test open
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: FakeRequest = { n: this.requests.length, method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? safeJson(text) : undefined };
    this.requests.push(request);
    try {
      if (request.path.endsWith('/models')) {
        return send(res, 200, {}, JSON.stringify({ object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) }));
      }
      if (!request.path.endsWith('/chat/completions')) return send(res, 404, {}, JSON.stringify({ error: { message: 'no such route' } }));
      const r = await this.responder(request);
      if (r.delayMs) await sleep(r.delayMs);
      if (res.destroyed) return;
      const body =
        r.raw ??
        JSON.stringify(
          r.json ?? {
            id: `chatcmpl-${request.n}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: request.body?.model ?? 'unknown',
            choices: [{ index: 0, message: { role: 'assistant', content: r.content ?? '' }, finish_reason: 'stop' }],
            ...(r.usage === null ? {} : { usage: r.usage ?? DEFAULT_USAGE }),
          },
        );
      send(res, r.status ?? 200, r.headers ?? {}, body);
    } catch (err) {
      send(res, 500, {}, JSON.stringify({ error: { message: `fake server: ${(err as Error).message}` } }));
    }
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
