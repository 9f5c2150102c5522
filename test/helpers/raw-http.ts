import net from 'node:net';

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * One request written byte for byte on a fresh socket, so the request line reaches the server
 * exactly as given (absolute-form, doubled slashes, dot segments, percent-encoding): fetch and
 * app.inject normalise URLs first. Resolves with the status and the raw text once the server
 * closes the connection (Connection: close), or `status: 0` when it answers nothing.
 */
export function rawRequest(port: number, requestLine: string, headers: Record<string, string> = {}, body?: Buffer, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer to ${requestLine} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {}); // a reset after the answer is still an answer
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', rest = ''] = text.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest });
    });
    const lines = [requestLine, `Host: 127.0.0.1:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push(`Content-Length: ${body.length}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (body) socket.write(body);
  });
}
