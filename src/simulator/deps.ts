/**
 * What every route module of the simulator is given. One object, built once in index.ts, so that the
 * route modules stay small factories with no hidden module state.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type { Logger } from '../observability/log.js';
import type { HostedApps } from './apps.js';
import type { SimulatorClock } from './clock.js';
import type { Credentials } from './credentials.js';
import type { EventDelivery } from './event-delivery.js';
import type { Faults } from './faults.js';
import type { LiveDirectory } from './live-directory.js';
import type { Views } from './views.js';

export interface SimulatorDeps {
  apps: HostedApps;
  clock: SimulatorClock;
  credentials: Credentials;
  /** The directory as it is now (changed by the admin page); every answer reads it. */
  directory: LiveDirectory;
  /** Contact-change callbacks to the configured events URLs. */
  events: EventDelivery;
  faults: Faults;
  views: Views;
  log: Logger;
  /** host[:port] of the apps' 授权回调域 / 可信域名, lower-cased. */
  trustedDomain: string;
  /** Path prefix the simulator is mounted at, without a trailing slash. */
  basePath: string;
  /** Content-Security-Policy for the simulator's pages. */
  csp: string;
}

/** Parses the simulator's own HTML forms (the host app's parsers, if any, run first and win). */
export const formBody = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

/** The parsed form fields, or none when there was no (form) body. */
export function formFields(ctx: Context): Record<string, unknown> {
  const body: unknown = ctx.request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
