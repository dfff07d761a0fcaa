import http from 'node:http';
import type { ApiClient } from './client';

type Event = { event: string; data: unknown };

/** A Server-Sent Events client for tests, authenticated with an ApiClient's session cookie. */
export class SseClient {
  private events: Event[] = [];
  private waiters: Array<() => void> = [];
  private constructor(private readonly req: http.ClientRequest) {}

  static connect(baseUrl: string, api: ApiClient): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${baseUrl}/events`, { headers: { cookie: api.cookieHeader() ?? '', accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`SSE answered ${res.statusCode}`));
          return;
        }
        const client = new SseClient(req);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let idx;
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (event && data) {
              client.events.push({ event, data: JSON.parse(data) });
              client.waiters.splice(0).forEach((w) => w());
            }
          }
        });
        resolve(client);
      });
      req.on('error', reject);
    });
  }

  /** Resolves with the first event (seen or to come) of that name matching the predicate. */
  async waitFor(name: string, match: (data: any) => boolean, timeoutMs = 8000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.event === name && match(e.data));
      if (found) {
        return found.data;
      }
      const left = until - Date.now();
      if (left <= 0) {
        throw new Error(`no ${name} event matched within ${timeoutMs} ms (got ${this.events.map((e) => e.event).join(', ')})`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The data of every event of that name received so far. */
  received(name: string): unknown[] {
    return this.events.filter((e) => e.event === name).map((e) => e.data);
  }

  close(): void {
    this.req.destroy();
  }
}
