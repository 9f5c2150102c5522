import { randomBytes } from 'node:crypto';
import http from 'node:http';

export interface SlowUpload {
  /** Bytes of the file part written so far. */
  readonly sent: number;
  /** Settles when the request ends: the answer, or the error that cut it (a killed server). */
  done: Promise<{ status?: number; body?: string; error?: Error }>;
  /** Drops the connection from the client side, mid-body. */
  abort(): void;
}

/**
 * A client streaming a multipart upload (field `file`) slowly: a PDF header, then `chunk`
 * bytes of padding every `everyMs`, up to `total` bytes (chunked transfer, no Content-Length,
 * as a browser streaming a big file). Nothing is held in memory but one chunk.
 */
export function slowUpload(url: string, opts: { total: number; chunk?: number; everyMs?: number; field?: string; filename?: string }): SlowUpload {
  const boundary = `----fault${randomBytes(8).toString('hex')}`;
  const chunk = Buffer.alloc(opts.chunk ?? 64 * 1024, 0x20);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${opts.field ?? 'file'}"; filename="${opts.filename ?? 'big.pdf'}"\r\n` +
      'Content-Type: application/pdf\r\n\r\n%PDF-1.7\n%\xe2\xe3\xcf\xd3\n',
    'latin1',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = http.request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<{ status?: number; body?: string; error?: Error }>((resolve) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        // An answer before the body is all sent (a refusal): stop sending, as a browser does.
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, body });
      });
      res.on('error', (error) => resolve({ status: res.statusCode!, body, error }));
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error });
    });
  });
  req.write(head);
  const step = () => {
    if (req.destroyed) return;
    if (sent >= opts.total) {
      req.end(tail);
      return;
    }
    const n = Math.min(chunk.length, opts.total - sent);
    sent += n;
    const more = req.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    const next = () => (timer = setTimeout(step, opts.everyMs ?? 10));
    if (more) next();
    else req.once('drain', next);
  };
  step();
  return {
    get sent() {
      return sent;
    },
    done,
    abort() {
      clearTimeout(timer);
      req.destroy();
    },
  };
}
