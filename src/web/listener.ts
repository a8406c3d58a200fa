/**
 * The main HTTP listener, layer by layer: the request id and access log around everything; then the
 * health endpoints and (unless moved to its own listener) /metrics, neither of which may be
 * answered from a cache; then the precomputed discovery and JWKS; then Koa.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { ListenerDrain } from '../lifecycle/drain.js';
import type { Logger } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { observeRequests } from './access-log.js';
import { healthEndpoints, type ReadinessChecks } from './health.js';
import { metricsEndpoint } from './metrics-endpoint.js';

export interface ListenerParts {
  basePath: string;
  /** The access log. */
  log: Logger;
  metrics?: Metrics;
  /** Serve /metrics here (false when `metrics.listen` gives it a listener of its own). */
  metricsHere: boolean;
  readiness: Omit<ReadinessChecks, 'shuttingDown'>;
  /** Answers discovery/JWKS from the precomputed copy; false when it cannot. */
  serveCachedDocument: (...args: Parameters<RequestListener>) => boolean;
  /** Koa. */
  handle: RequestListener;
  /** Answers (and returns true for) a request that must go no further, e.g. a malformed Host. */
  guard?: (...args: Parameters<RequestListener>) => boolean;
}

export function createListener(parts: ListenerParts): { server: Server; drain: ListenerDrain } {
  let drain: ListenerDrain | undefined;
  const health = healthEndpoints(parts.basePath, { ...parts.readiness, shuttingDown: () => drain?.draining ?? false });
  const metrics = parts.metrics && parts.metricsHere ? metricsEndpoint(parts.basePath, parts.metrics) : undefined;
  const server = createServer(
    observeRequests({ log: parts.log, metrics: parts.metrics, basePath: parts.basePath }, (req, res) => {
      if (parts.guard?.(req, res) || health(req, res) || metrics?.(req, res) || parts.serveCachedDocument(req, res)) return;
      void parts.handle(req, res);
    }),
  );
  drain = new ListenerDrain(server);
  return { server, drain };
}
