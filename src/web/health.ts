/**
 * `GET /healthz` (the process answers) and `GET /readyz` (this replica should get traffic: not
 * shutting down, signing keys loaded, storage answering). Both are answered before Koa and before
 * the cached discovery documents, and neither is cached: each readiness answer runs its checks.
 *
 * A failed readiness answer is 503 with a JSON body naming the first failing check, so that a
 * person reading a load balancer's probe log sees why.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Storage } from '../model/index.js';

export type NotReadyReason = 'shutting_down' | 'signing_keys_missing' | 'storage_unavailable';

export interface ReadinessChecks {
  shuttingDown(): boolean;
  signingKeysLoaded(): boolean;
  storage: Pick<Storage, 'models'>;
  /** How long storage may take to answer before the replica counts as not ready. */
  storageTimeoutMs?: number;
}

const DEFAULT_STORAGE_TIMEOUT_MS = 2_000;

export function healthEndpoints(basePath: string, checks: ReadinessChecks): (req: IncomingMessage, res: ServerResponse) => boolean {
  const paths = (name: string) => new Set([`/${name}`, ...(basePath ? [`${basePath}/${name}`] : [])]);
  const health = paths('healthz');
  const ready = paths('readyz');
  const storageAnswers = sharedStorageCheck(checks);
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url) return false;
    const path = req.url.split('?', 1)[0] ?? '';
    if (health.has(path)) {
      sendJson(req, res, 200, { status: 'ok' });
      return true;
    }
    if (!ready.has(path)) return false;
    void readiness(checks, storageAnswers).then(
      (reason) => sendJson(req, res, reason ? 503 : 200, reason ? { status: 'not_ready', reason } : { status: 'ready' }),
      () => sendJson(req, res, 503, { status: 'not_ready', reason: 'storage_unavailable' }),
    );
    return true;
  };
}

async function readiness(checks: ReadinessChecks, storageAnswers: () => Promise<boolean>): Promise<NotReadyReason | undefined> {
  if (checks.shuttingDown()) return 'shutting_down';
  if (!checks.signingKeysLoaded()) return 'signing_keys_missing';
  if (!(await storageAnswers())) return 'storage_unavailable';
  // Shutdown may have begun while storage answered.
  return checks.shuttingDown() ? 'shutting_down' : undefined;
}

/**
 * A read that reaches the database (PostgreSQL) or the open store (lowdb), bounded in time.
 * Concurrent probes share one check, so a hung database does not collect a query per probe.
 */
function sharedStorageCheck(checks: ReadinessChecks): () => Promise<boolean> {
  const timeoutMs = checks.storageTimeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS;
  let running: Promise<boolean> | undefined;
  return () => {
    running ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      checks.storage.models
        .find('ReadinessProbe', 'readiness-probe')
        .then(
          () => resolve(true),
          () => resolve(false),
        )
        .finally(() => clearTimeout(timer));
    }).finally(() => {
      running = undefined;
    });
    return running;
  };
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
