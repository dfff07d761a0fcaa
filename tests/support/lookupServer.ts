// A local HTTP API that bot lookups call in tests: an order-status service on 127.0.0.1 that
// records what it received, with routes that answer late, fail, redirect or answer wrongly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

export type LookupServer = {
  /** http://127.0.0.1:<port> */
  url: string;
  received: Received[];
  close: () => Promise<void>;
};

const ORDERS: Record<string, { id: string; status: string }> = {
  '33612345678': { id: 'A-1001', status: 'shipped' },
  '33699999999': { id: 'B-2002', status: 'being prepared' },
};

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startLookupServer(): Promise<LookupServer> {
  const received: Received[] = [];
  // Requests that are never answered (a service that hangs), ended when the server closes.
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/orders' && req.method === 'POST') {
        const asked = JSON.parse(body) as { customer?: string };
        const order = ORDERS[asked.customer ?? ''];
        json(res, order ? 200 : 404, order ? { order, echo: asked } : { error: 'no order' });
      } else if (path.startsWith('/orders/') && req.method === 'GET') {
        const order = ORDERS[decodeURIComponent(path.slice('/orders/'.length))];
        json(res, order ? 200 : 404, order ? { order } : { error: 'no order' });
      } else if (path === '/hang') {
        hanging.add(res);
      } else if (path === '/dribble') {
        // Headers at once, then the body never finishes: only a total deadline catches it.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"order": {"id": "A-');
        hanging.add(res);
      } else if (path === '/fail') {
        json(res, 500, { error: 'database down' });
      } else if (path === '/html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<p>Order shipped</p>');
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/orders' });
        res.end();
      } else if (path === '/big') {
        json(res, 200, { order: { id: 'A-1001', status: 'shipped' }, padding: 'x'.repeat(70 * 1024) });
      } else {
        json(res, 404, { error: 'not here' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      for (const res of hanging) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
