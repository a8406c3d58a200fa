/**
 * The outermost layer of every HTTP request, before anything answers it (cached discovery, health,
 * metrics, Koa): gives the request its id, and when the response is done writes one access-log
 * line and one observation of the request-duration metric.
 *
 * The line names the route template, never the URL: query strings carry authorization codes,
 * `state`, tokens (`id_token_hint`) and WeCom login codes, and paths carry interaction uids.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../observability/log.js';
import { assignRequestId, runWithRequestId } from '../observability/request-id.js';
import { routeOf } from './route-names.js';

export interface RequestRecorder {
  httpRequest(method: string, route: string, status: number, seconds: number): void;
}

export interface AccessLogOptions {
  /** The access log; one `info` line per request. */
  log: Logger;
  metrics?: RequestRecorder;
  /** The issuer's path ('' or e.g. '/oidc'), to name routes relative to it. */
  basePath: string;
}

export function observeRequests(options: AccessLogOptions, handle: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const requestId = assignRequestId(req);
    res.setHeader('X-Request-Id', requestId);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = req.method ?? 'GET';
      const route = routeOf(req.url ?? '/', options.basePath);
      // A response cut before it finished (client gone, or the shutdown grace ran out).
      const completed = res.writableFinished;
      options.metrics?.httpRequest(method, route, res.statusCode, seconds);
      options.log.info('request', {
        requestId,
        method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(completed ? {} : { aborted: true }),
      });
    });
    runWithRequestId(requestId, () => handle(req, res));
  };
}
