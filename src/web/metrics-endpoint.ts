/**
 * `GET /metrics`: the Prometheus exposition. By default on the main listener (at the host's root
 * and under the issuer's path); with `metrics.listen` set, only on a listener of its own, so the
 * numbers need not be reachable by the public.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../observability/metrics.js';

export function metricsEndpoint(basePath: string, metrics: Metrics): (req: IncomingMessage, res: ServerResponse) => boolean {
  const paths = new Set(['/metrics', ...(basePath ? [`${basePath}/metrics`] : [])]);
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !paths.has((req.url ?? '').split('?', 1)[0] ?? '')) return false;
    void metrics.exposition().then(
      ({ contentType, body }) => send(req, res, 200, contentType, body),
      () => send(req, res, 500, 'text/plain; charset=utf-8', 'metrics could not be collected\n'),
    );
    return true;
  };
}

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464 */
  address: string;
  close(): Promise<void>;
}

/** A listener that answers /metrics and nothing else. */
export async function startMetricsListener(listen: { host: string; port: number }, metrics: Metrics): Promise<MetricsListener> {
  const answer = metricsEndpoint('', metrics);
  const server = createServer((req, res) => {
    if (!answer(req, res)) send(req, res, 404, 'text/plain; charset=utf-8', 'not found: this listener serves /metrics only\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
