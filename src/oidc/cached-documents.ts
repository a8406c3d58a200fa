/**
 * Discovery and JWKS change only when the signing keys do, yet RPs fetch them constantly (some on
 * every login). oidc-provider builds them afresh per request; we keep the first answer, serve it
 * as a precomputed string with an ETag (304 on If-None-Match) and cache headers, and forget it when
 * the provider is replaced after a key rotation.
 *
 * oidc-provider writes discovery's endpoint URLs against the request's origin (Host, or
 * X-Forwarded-Host behind a trusted proxy), so answers are kept per origin: a health check on a
 * replica's own address must not hand its URLs to clients coming through the load balancer. Only a
 * few origins are kept, so requests with made-up Host headers cannot grow the cache.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';

interface CachedDocument {
  body: string;
  etag: string;
  headers: Record<string, string>;
  /** For the raw path: the body's bytes and every header of a 200 answer, computed once. */
  bytes: Buffer;
  rawHeaders: Record<string, string | number>;
}

/** How many origins' answers are kept; further origins are answered uncached. */
const MAX_ORIGINS = 8;

/** Browsers and RPs may cache these for five minutes; a rotation publishes keys long before use. */
const CACHE_CONTROL = 'public, max-age=300';
/**
 * Response headers of the provider's answer that must not be replayed: per-response ones, and CORS
 * (oidc-provider reflects the caller's Origin; replaying it would hand one caller's origin to all).
 */
const PER_RESPONSE_HEADERS = /^(date|etag|content-length|set-cookie|cache-control|connection|keep-alive|vary|access-control-.*)$/i;

export class CachedDocuments {
  readonly #paths: Set<string>;
  readonly #cache = new Map<string, CachedDocument>();

  constructor(basePath: string) {
    this.#paths = new Set([`${basePath}/.well-known/openid-configuration`, `${basePath}/jwks`]);
  }

  clear(): void {
    this.#cache.clear();
  }

  /**
   * The hot path: answers a cached document straight from Node's request, before Koa builds a
   * context (most of the cost of an answer this small). The origin is derived exactly as Koa
   * derives ctx.protocol and ctx.host. Returns false, touching nothing, when it cannot answer.
   */
  serveRaw(req: IncomingMessage, res: ServerResponse, trustProxy: boolean): boolean {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url || !this.#paths.has(req.url)) return false;
    const document = this.#cache.get(`${protocolOf(req, trustProxy)}://${hostOf(req, trustProxy)}${req.url}`);
    if (!document) return false;
    if (req.headers['if-none-match'] === document.etag) {
      res.writeHead(304, { ETag: document.etag, 'Cache-Control': CACHE_CONTROL, 'Access-Control-Allow-Origin': '*' });
      res.end();
      return true;
    }
    res.writeHead(200, document.rawHeaders);
    res.end(req.method === 'HEAD' ? undefined : document.bytes);
    return true;
  }

  /** Serves a cached document, or lets `produce` (the provider) answer and keeps its answer. */
  async serve(ctx: Koa.Context, produce: () => Promise<unknown>): Promise<void> {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !this.#paths.has(ctx.path)) {
      await produce();
      return;
    }
    // Koa 3's ctx.origin is not the request's origin; build it as the provider sees it.
    const key = `${ctx.protocol}://${ctx.host}${ctx.path}`;
    let document = this.#cache.get(key);
    if (!document) {
      await produce();
      if (ctx.status !== 200 || ctx.body === undefined || ctx.body === null) return;
      document = remember(ctx);
      if (this.#cache.size < MAX_ORIGINS * this.#paths.size) this.#cache.set(key, document);
    }
    ctx.set(document.headers);
    // Public documents, fetched without credentials: any origin may read them.
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.remove('Vary');
    ctx.set('ETag', document.etag);
    ctx.set('Cache-Control', CACHE_CONTROL);
    if (ctx.get('if-none-match') === document.etag) {
      ctx.status = 304;
      ctx.body = null;
      return;
    }
    ctx.status = 200;
    ctx.body = document.body;
    // Setting a string body resets the type to text; keep the provider's (JWKS is application/jwk-set+json).
    ctx.set('Content-Type', document.headers['content-type'] ?? 'application/json; charset=utf-8');
  }
}

function remember(ctx: Koa.Context): CachedDocument {
  const body = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
  // Header names in lower case, so that ours below replace, rather than repeat, the provider's.
  const headers = Object.fromEntries(
    Object.entries(ctx.response.headers)
      .filter(([name, value]) => !PER_RESPONSE_HEADERS.test(name) && typeof value === 'string')
      .map(([name, value]) => [name.toLowerCase(), value as string]),
  );
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const bytes = Buffer.from(body);
  const rawHeaders = {
    'content-type': 'application/json; charset=utf-8',
    ...headers,
    'access-control-allow-origin': '*',
    etag,
    'cache-control': CACHE_CONTROL,
    'content-length': bytes.length,
  };
  return { body, etag, headers, bytes, rawHeaders };
}

/** Koa's ctx.protocol: https on a TLS socket; else X-Forwarded-Proto behind a trusted proxy; else http. */
function protocolOf(req: IncomingMessage, trustProxy: boolean): string {
  if ((req.socket as { encrypted?: boolean }).encrypted) return 'https';
  if (!trustProxy) return 'http';
  return firstValue(req.headers['x-forwarded-proto']) || 'http';
}

/** Koa's ctx.host: X-Forwarded-Host behind a trusted proxy, else Host. */
function hostOf(req: IncomingMessage, trustProxy: boolean): string {
  return (trustProxy && firstValue(req.headers['x-forwarded-host'])) || firstValue(req.headers.host);
}

function firstValue(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',', 1)[0]?.trim() ?? '';
}
