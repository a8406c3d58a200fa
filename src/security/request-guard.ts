/**
 * The first thing every request meets, before Koa builds a context: the headers that name our own
 * origin (Host, and behind a trusted proxy X-Forwarded-Host/-Proto) are checked here, once.
 *
 * - A Host that is not a host[:port] (`a b`, `[`, `%zz`, `x:99999`, none at all) is answered 400:
 *   every absolute URL the provider writes is built on it, and `new URL` would throw a 500 later.
 * - X-Forwarded-Host is honoured only when `trustProxy` is on, and then only when it names the
 *   issuer's own host; anything else is dropped, so discovery cannot be made to advertise another
 *   origin's endpoints. A malformed X-Forwarded-Proto is dropped likewise.
 * - With an https issuer every answer carries HSTS (a plain-http request included: a proxy in front
 *   may terminate TLS without saying so).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One year, the value HSTS preload lists ask for; subdomains are the operator's to decide. */
export const HSTS_VALUE = 'max-age=31536000';

export interface RequestGuardOptions {
  issuer: string;
  trustProxy: boolean;
}

/** Returns a function that answers (and returns true for) a request that must go no further. */
export function createRequestGuard(options: RequestGuardOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const issuerUrl = new URL(options.issuer);
  const issuerHost = issuerUrl.host.toLowerCase();
  const https = issuerUrl.protocol === 'https:';
  // Nearly every request names the same Host: the last one found good is not parsed again.
  let lastGoodHost: string | undefined;
  return (req, res) => {
    if (https) res.setHeader('Strict-Transport-Security', HSTS_VALUE);
    const host = single(req.headers.host);
    if (host === undefined || host !== lastGoodHost) {
      if (!isHostHeader(host)) {
        refuse(res, 'Bad Request: the Host header is missing or malformed');
        return true;
      }
      lastGoodHost = host;
    }
    const forwardedHost = single(req.headers['x-forwarded-host'])?.split(',', 1)[0]?.trim();
    if (forwardedHost !== undefined) {
      if (options.trustProxy && isHostHeader(forwardedHost) && forwardedHost.toLowerCase() === issuerHost) {
        req.headers['x-forwarded-host'] = forwardedHost;
      } else {
        delete req.headers['x-forwarded-host'];
      }
    }
    const forwardedProto = single(req.headers['x-forwarded-proto'])?.split(',', 1)[0]?.trim().toLowerCase();
    if (forwardedProto !== undefined) {
      if (options.trustProxy && (forwardedProto === 'http' || forwardedProto === 'https')) {
        req.headers['x-forwarded-proto'] = forwardedProto;
      } else {
        delete req.headers['x-forwarded-proto'];
      }
    }
    return false;
  };
}

/** host[:port] as RFC 9110 allows it: parses as a URL authority with nothing else in it. */
export function isHostHeader(value: string | undefined): value is string {
  if (!value || value.length > 255 || /[\s/\\@?#]/.test(value)) return false;
  return URL.canParse(`http://${value}/`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refuse(res: ServerResponse, message: string): void {
  res.writeHead(400, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(`${message}\n`);
}
