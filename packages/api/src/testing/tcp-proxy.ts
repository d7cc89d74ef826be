// A TCP proxy a test puts between the server and a service, to cut and restore the service.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones, as a dead service would. */
  cut(): void;
  restore(): void;
  /** Holds what the service sends (connections stay open, nothing is lost), as a stalled network would. */
  pause(): void;
  /** Delivers what was held, and everything after it. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const replies = new Map<Socket, Socket>();
  let down = false;
  let paused = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('close', () => replies.delete(upstream));
    replies.set(upstream, client);
    client.pipe(upstream);
    if (paused) upstream.pause();
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    pause() {
      paused = true;
      for (const [upstream, client] of replies) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    resume() {
      paused = false;
      for (const [upstream, client] of replies) upstream.pipe(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The same URL with its host and port replaced by the proxy's. */
export function viaProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
