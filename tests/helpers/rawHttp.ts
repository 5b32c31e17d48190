import net from 'node:net';

/**
 * HTTP at the byte level: sends exactly what a test writes — a broken request line, a header
 * the size of a book, a body that stops half-way — and returns what came back before the server
 * closed the socket (or the time ran out). `fetch` would refuse or repair most of these.
 */
export interface RawAnswer {
  /** Everything received, as latin1 text. */
  text: string;
  /** The status of the first response, or null when none came. */
  status: number | null;
  /** True when the server closed the connection (false: the time ran out first). */
  closed: boolean;
  /** How long until close or timeout, in ms. */
  elapsedMs: number;
}

/**
 * `hangUp`: the client ends its side right after writing (a truncated request). Otherwise the
 * socket stays open, as a browser's does, until the server closes it or `timeoutMs` passes.
 */
export function rawHttp(port: number, data: string | Buffer, options: { timeoutMs?: number; hangUp?: boolean } = {}): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match ? Number(match[1]) : null, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      socket.write(data);
      if (options.hangUp) socket.end();
    });
  });
}

/** A complete request with `Connection: close`, so the server closes after answering. */
export function request(method: string, target: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding')) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
