// An HTTP reverse proxy a test puts in front of the server. It forwards X-Forwarded-For the way
// nginx's `$proxy_add_x_forwarded_for` does (the client's own header, then the address the proxy
// sees), which is what a client behind a careless proxy can abuse.
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardingProxy {
  url: string;
  close(): Promise<void>;
}

/** The peer address as nginx writes `$remote_addr` (no IPv4-mapped IPv6 prefix). */
function remoteAddr(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export async function startForwardingProxy(target: string): Promise<ForwardingProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const incoming = req.headers['x-forwarded-for'];
    const forwardedFor = incoming ? `${incoming}, ${remoteAddr(req)}` : remoteAddr(req);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': forwardedFor, connection: 'close' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
