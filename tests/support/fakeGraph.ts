import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeGraph = {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Paths requested so far, in order. */
  requested: string[];
  /** Answers GET `pathname` with `handler` from now on. */
  on: (pathname: string, handler: (req: IncomingMessage, res: ServerResponse) => void) => void;
  /** Answers Graph's GET /{version}/{media-id} with this media's metadata. */
  media: (mediaId: string, info: { url: string; mime_type: string; sha256?: string; file_size?: number }) => void;
  close: () => Promise<void>;
};

/**
 * A real HTTP server on loopback playing Meta's Graph API and media hosts for one test file:
 * what each path answers is set by the test. Anything not set answers 404.
 */
export async function startFakeGraph(): Promise<FakeGraph> {
  const handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requested.push(url.pathname);
    const handler = handlers.get(url.pathname);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Unknown path', code: 100 } }));
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requested,
    on: (pathname, handler) => handlers.set(pathname, handler),
    media: (mediaId, info) =>
      handlers.set(`/v23.0/${mediaId}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messaging_product: 'whatsapp', id: mediaId, ...info }));
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
