/**
 * A file server on 127.0.0.1 for the download tests: each path serves its bytes whole, cut off
 * (the connection is destroyed after `cutAfter` bytes of a response that announced them all),
 * or a status code. Every request is recorded.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = { body: Uint8Array; cutAfter?: number } | { status: number };

export interface LoopbackServer {
  /** http://127.0.0.1:<port>/ */
  base: string;
  routes: Map<string, Route>;
  /** The paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    requests.push(path);
    const route = routes.get(path);
    if (route === undefined || 'status' in route) {
      res.writeHead(route?.status ?? 404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': route.body.byteLength,
    });
    if (route.cutAfter === undefined) {
      res.end(route.body);
      return;
    }
    // the bytes before the cut reach the client, then the socket goes away mid-body
    res.write(route.body.subarray(0, route.cutAfter), () => setTimeout(() => res.socket?.destroy(), 20));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/`,
    routes,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens (a port just freed): what an offline machine sees. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}
