/** A minimal API client for tests: keeps the session cookie and echoes the CSRF token. */
export class ApiClient {
  private cookie: string | null = null;
  csrfToken: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) {
      h.cookie = this.cookie;
    }
    if (this.csrfToken && method !== 'GET') {
      h['x-csrf-token'] ??= this.csrfToken;
    }
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: 'manual' });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value === 'sb_session=' ? null : value;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text.length > 0) {
      parsed = JSON.parse(text);
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** The session cookie, for clients other than fetch (SSE). */
  cookieHeader(): string | null {
    return this.cookie;
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body?: unknown) {
    return this.request('POST', path, body ?? {});
  }
  patch(path: string, body: unknown) {
    return this.request('PATCH', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
  put(path: string, body: unknown) {
    return this.request('PUT', path, body);
  }

  /** Signs in; throws unless it succeeded. */
  async login(email: string, password: string): Promise<this> {
    const res = await this.post('/api/v1/auth/login', { email, password });
    if (res.status !== 200) {
      throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    this.csrfToken = res.body.csrfToken;
    return this;
  }
}
