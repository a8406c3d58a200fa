/**
 * Graceful stop of the HTTP listener: stop accepting at once, let the requests already in flight
 * finish (bounded by a grace period), then cut whatever is left.
 *
 * Keep-alive connections would otherwise keep sending new requests to a stopping replica: once
 * draining, every response that has not started yet says `Connection: close`, and connections that
 * fall idle are closed as soon as they do.
 */
import type { Server, ServerResponse } from 'node:http';

export interface DrainResult {
  /** Requests still running when the grace period ran out (their connections were cut). */
  cut: number;
}

export class ListenerDrain {
  #draining = false;
  readonly #inFlight = new Set<ServerResponse>();

  constructor(private readonly server: Server) {
    server.on('request', (_req, res: ServerResponse) => {
      this.#inFlight.add(res);
      if (this.#draining) closeAfter(res);
      res.once('close', () => {
        this.#inFlight.delete(res);
        // The connection becomes idle right after its response; close it then.
        if (this.#draining) setImmediate(() => this.server.closeIdleConnections());
      });
    });
  }

  /** True from the moment `drain` is called: readiness reports 503 from then on. */
  get draining(): boolean {
    return this.#draining;
  }

  async drain(graceMs: number): Promise<DrainResult> {
    this.#draining = true;
    for (const res of this.#inFlight) closeAfter(res);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace_over'>((resolve) => {
      timer = setTimeout(() => resolve('grace_over'), graceMs);
    });
    const first = await Promise.race([closed.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (first === 'closed') return { cut: 0 };
    const cut = this.#inFlight.size;
    this.server.closeAllConnections();
    await closed;
    return { cut };
  }
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
