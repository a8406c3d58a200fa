/**
 * The request id: one per HTTP request, taken from the caller's `X-Request-Id` when it is a safe
 * token (a reverse proxy such as nginx's `$request_id` sets one) and generated otherwise. It is
 * echoed in the response header, written on every log line made while the request runs (through
 * AsyncLocalStorage, so no call site has to pass it along) and shown on error pages, so that a
 * person can quote it and an administrator can find the lines that explain the failure.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What we accept from outside: short, and only characters that cannot break a log line, a header or
 * a page (the id is shown and logged verbatim).
 */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

const context = new AsyncLocalStorage<string>();
const ids = new WeakMap<IncomingMessage, string>();

/** The caller's id when acceptable, else a new one; remembered for `requestIdOf`. */
export function assignRequestId(req: IncomingMessage): string {
  const offered = req.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTABLE_ID.test(offered) ? offered : randomUUID();
  ids.set(req, id);
  return id;
}

/** The id assigned to this request, if any (e.g. for an error page). */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return ids.get(req);
}

/** Runs `handle` so that every log line it (and whatever it awaits) writes carries `id`. */
export function runWithRequestId<T>(id: string, handle: () => T): T {
  return context.run(id, handle);
}

/** The id of the request being handled, when called on its behalf. */
export function currentRequestId(): string | undefined {
  return context.getStore();
}
