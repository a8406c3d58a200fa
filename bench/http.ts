/**
 * The load generator's HTTP for multi-step flows: node:http over keep-alive sockets (lighter than
 * fetch, so the generator leaves the cores to the servers), a minimal browser cookie jar, and just
 * enough HTML reading to find a form and submit it. Every URL is on 127.0.0.1, so the jar keys
 * cookies by name and path only (browsers do not separate cookies by port either).
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export interface HttpResponse {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 30_000 });
/** No request of a flow may hang the benchmark. */
const REQUEST_TIMEOUT_MS = 30_000;

export function send(url: string, init: HttpRequest = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = request(url, { method: init.method ?? 'GET', headers, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ url, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** One browser's cookies (RFC 6265 path matching and expiry; no domain or port separation). */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  store(url: string, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const cookie: Cookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: defaultPath(url) };
      let expired = false;
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=').map((part) => part.trim());
        const name = key.toLowerCase();
        if (name === 'path' && value.startsWith('/')) cookie.path = value;
        if (name === 'max-age' && Number(value) <= 0) expired = true;
        if (name === 'expires' && Date.parse(value) <= Date.now()) expired = true;
      }
      const key = `${cookie.name}\u0000${cookie.path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter((cookie) => pathMatches(pathname, cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
}

function defaultPath(url: string): string {
  const { pathname } = new URL(url);
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** A browser without a screen: sends its cookies, keeps the ones it is given, follows redirects. */
export class Browser {
  readonly jar = new CookieJar();

  async request(url: string, init: HttpRequest = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': 'wecom-oidc-bench', accept: 'text/html', ...init.headers };
    const cookie = this.jar.header(url);
    if (cookie) headers.cookie = cookie;
    const response = await send(url, { ...init, headers });
    this.jar.store(url, response.headers['set-cookie']);
    return response;
  }

  /**
   * Requests `url` and follows redirects until an answer is not a redirect, or the next URL
   * satisfies `stopAt` (then that URL is returned as `url`, unvisited, with the redirect's status).
   */
  async follow(url: string, init: HttpRequest = {}, stopAt: (next: string) => boolean = () => false): Promise<HttpResponse> {
    let response = await this.request(url, init);
    for (let hops = 0; hops < 15; hops += 1) {
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || !location) return response;
      const next = new URL(location, response.url).href;
      if (stopAt(next)) return { ...response, url: next };
      response = await this.request(next);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  submit(page: HttpResponse, form: Form, stopAt?: (next: string) => boolean): Promise<HttpResponse> {
    const url = new URL(form.action || page.url, page.url).href;
    const body = new URLSearchParams(form.fields).toString();
    if (form.method === 'GET') return this.follow(`${url}?${body}`, {}, stopAt);
    return this.follow(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, stopAt);
  }
}

export interface Form {
  action: string;
  method: string;
  /** Its inputs, plus the name=value of its (first named) submit button. */
  fields: Record<string, string>;
}

/** The forms of a page, read with regular expressions: enough for the two pages a sign-in submits. */
export function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attributes = '', inner = '']) => {
    const fields: Record<string, string> = {};
    for (const [, tag = ''] of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attribute(tag, 'name');
      if (name) fields[name] = attribute(tag, 'value') ?? '';
    }
    const button = [...inner.matchAll(/<button\b([^>]*)>/gi)].map(([, tag = '']) => tag).find((tag) => attribute(tag, 'name'));
    if (button) fields[attribute(button, 'name')!] = attribute(button, 'value') ?? '';
    return { action: attribute(attributes, 'action') ?? '', method: (attribute(attributes, 'method') ?? 'get').toUpperCase(), fields };
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_all, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[lower] ?? '';
  });
}
