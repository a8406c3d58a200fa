/**
 * `{issuer}/wecom/events/{identifier}`: where WeCom delivers a connection's contact-change events
 * (接收事件服务器). GET is WeCom's URL verification; POST is an event. The checks themselves (signature,
 * timestamp window, replay, decryption, corp id, XML) are wecom/events'; this file only speaks HTTP:
 * answer within WeCom's 5 s, whatever the work costs, by queueing the event and answering `success`.
 *
 * A refusal is a 400 or 403 with a one-word body and one log line; nothing is changed by it.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Logger } from '../observability/log.js';
import { ContactEventReceiver, type CallbackQuery, type CallbackRejection, type ContactEvent } from '../wecom/index.js';

/** A callback envelope is a few hundred bytes; anything near this is not WeCom. */
const MAX_BODY_BYTES = 64 * 1024;
/** Events waiting to be applied, per connection; past this we answer 503 and WeCom retries later. */
const MAX_QUEUED_EVENTS = 10_000;

export interface EventsConnection {
  identifier: string;
  corpId: string;
  events?: { token: string; encodingAESKey: string };
}

export interface WeComEventsOptions {
  basePath: string;
  /** Looked up per request, so a configuration reload's new or re-keyed connections apply at once. */
  connections: { get(identifier: string): EventsConnection | undefined };
  /** Applies one event; runs after WeCom has had its answer, one event at a time per connection. */
  apply(connectionIdentifier: string, event: ContactEvent): Promise<void>;
  log: Logger;
  now?: () => number;
}

export interface WeComEventsRoutes {
  router: Router;
  /** Resolves when every queued event has been applied (tests, and a clean shutdown). */
  idle(): Promise<void>;
}

export function wecomEventsRoutes(options: WeComEventsOptions): WeComEventsRoutes {
  const { log } = options;
  // One receiver per connection and secret pair (a reload with new secrets gets a new receiver);
  // one queue per connection for the life of the process, so events stay in order across a reload.
  const receivers = new Map<string, { secrets: string; receiver: ContactEventReceiver }>();
  const queues = new Map<string, EventQueue>();
  const entryFor = (identifier: string) => {
    const connection = options.connections.get(identifier);
    if (!connection?.events) return undefined;
    const secrets = JSON.stringify([connection.corpId, connection.events.token, connection.events.encodingAESKey]);
    let known = receivers.get(identifier);
    if (known?.secrets !== secrets) {
      known = { secrets, receiver: new ContactEventReceiver(connection.events, connection.corpId, options.now) };
      receivers.set(identifier, known);
    }
    let queue = queues.get(identifier);
    if (!queue) {
      queue = new EventQueue((event) => options.apply(identifier, event), log, identifier);
      queues.set(identifier, queue);
    }
    return { receiver: known.receiver, queue };
  };

  const refuse = (ctx: Koa.Context, connection: string, rejection: CallbackRejection) => {
    log.warn('WeCom callback refused', { connection, status: rejection.status, reason: rejection.reason });
    ctx.status = rejection.status;
    ctx.type = 'text/plain';
    ctx.body = rejection.reason;
  };

  const router = new Router({ prefix: `${options.basePath}/wecom/events` });
  router.get('/:identifier', (ctx) => {
    const entry = entryFor(ctx.params.identifier!);
    if (!entry) return; // 404: no such connection, or it takes no events
    const opened = entry.receiver.verifyUrl(queryOf(ctx));
    if (!opened.ok) return refuse(ctx, ctx.params.identifier!, opened.rejection);
    log.info('WeCom verified the events URL', { connection: ctx.params.identifier });
    ctx.type = 'text/plain';
    ctx.body = opened.echo;
  });
  router.post('/:identifier', async (ctx) => {
    const identifier = ctx.params.identifier!;
    const entry = entryFor(identifier);
    if (!entry) return;
    let body: string;
    try {
      body = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, encoding: 'utf8' });
    } catch {
      return refuse(ctx, identifier, { status: 400, reason: 'malformed_body' });
    }
    const opened = entry.receiver.openDelivery(queryOf(ctx), body);
    if (!opened.ok) return refuse(ctx, identifier, opened.rejection);
    if (!entry.queue.push(opened.event)) {
      log.error('WeCom events are arriving faster than they can be applied; asking WeCom to retry', { connection: identifier });
      ctx.status = 503;
      return;
    }
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return {
    router,
    idle: () => Promise.all([...queues.values()].map((queue) => queue.idle())).then(() => undefined),
  };
}

function queryOf(ctx: Koa.Context): CallbackQuery {
  const pick = (name: string) => {
    const value = ctx.query[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { msg_signature: pick('msg_signature'), timestamp: pick('timestamp'), nonce: pick('nonce'), echostr: pick('echostr') };
}

/** Events applied one after another, in arrival order; a failure is logged and the next one goes on. */
class EventQueue {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly apply: (event: ContactEvent) => Promise<void>,
    private readonly log: Logger,
    private readonly connection: string,
  ) {}

  push(event: ContactEvent): boolean {
    if (this.waiting >= MAX_QUEUED_EVENTS) return false;
    this.waiting += 1;
    this.tail = this.tail.then(async () => {
      try {
        await this.apply(event);
      } catch (error) {
        this.log.error('a WeCom event could not be applied; the reconcile sweep will catch up', {
          connection: this.connection,
          kind: event.kind,
          message: (error as Error).message,
        });
      } finally {
        this.waiting -= 1;
      }
    });
    return true;
  }

  idle(): Promise<void> {
    return this.tail;
  }
}
