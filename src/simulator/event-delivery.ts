/**
 * Calls back like WeCom (接收事件, page 90967; 成员变更通知, page 90970): each member change is
 * sealed for the corp (加解密方案, page 90968), signed with the connection's Token, and POSTed to the
 * connection's events URL as `URL?msg_signature=S&timestamp=T&nonce=N` with WeCom's envelope. Like
 * WeCom it waits 5 s for an answer and tries three times in all when the answer is not 2xx; a retry
 * sends the same request again, so a receiver may see the same message twice.
 *
 * Deliveries run in the background, one at a time per connection (in the order the changes were
 * made); `idle()` lets tests wait for them. The only URLs ever called are built from the issuer the
 * simulator was given: `{issuer}/wecom/events/{identifier}`.
 */
import { randomInt } from 'node:crypto';
import type { ConnectionConfig } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import { CallbackKey, contactEventXml, messageSignature } from '../wecom/index.js';
import type { MemberChange } from './live-directory.js';

/** WeCom drops the connection after 5 s. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** Three attempts in all. */
export const DELIVERY_ATTEMPTS = 3;
/** Pauses before the second and third attempts. */
const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000] as const;
/** Deliveries kept for inspection (tests, the admin page); older ones are forgotten. */
const KEPT_DELIVERIES = 200;

export type EventConnection = Pick<ConnectionConfig, 'identifier' | 'corpId' | 'agentId' | 'events'>;

export interface Attempt {
  /** HTTP status, when an answer came. */
  status?: number;
  /** Why there was no answer (timeout, connection refused). */
  error?: string;
}

export interface Delivery {
  /** The connection it was sent to. */
  connection: string;
  url: string;
  changeType: MemberChange['changeType'];
  userid: string;
  /** Exactly what was sent, so a test can send it again (a duplicate or replay). */
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
  attempts: Attempt[];
  outcome: 'pending' | 'delivered' | 'failed';
}

export interface EventDeliveryOptions {
  /** The issuer (no trailing slash needed): events go to `{issuer}/wecom/events/{identifier}` only. */
  issuer: string;
  connections: readonly EventConnection[];
  log: Logger;
  /** Wall clock for CreateTime and timestamp (WeCom's clock, not the simulator's shifted one). */
  now?: () => number;
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

interface Target {
  identifier: string;
  corpId: string;
  agentId: string;
  url: string;
  token: string;
  key: CallbackKey;
  /** The tail of this connection's queue. */
  queue: Promise<void>;
}

export interface EventDelivery {
  /** The events URLs called back, one per connection with `events` set. */
  readonly targetUrls: readonly string[];
  /** Queues the change for every connection that may hear of it; returns how many were queued. */
  send(change: MemberChange): number;
  /** How many connections hear of this change (WeCom tells an app only about members it may see). */
  recipientsOf(change: MemberChange): number;
  /** Resolves when every queued delivery has finished (delivered or given up). */
  idle(): Promise<void>;
  /** Recent deliveries, oldest first (copies). */
  deliveries(): Delivery[];
}

/** Unref'd: a retry still waiting must not keep a stopping server's process alive. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function createEventDelivery(options: EventDeliveryOptions): EventDelivery {
  const issuer = options.issuer.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const { log } = options;
  const targets: Target[] = options.connections.flatMap((connection) =>
    connection.events
      ? [
          {
            identifier: connection.identifier,
            corpId: connection.corpId,
            agentId: String(connection.agentId),
            url: `${issuer}/wecom/events/${encodeURIComponent(connection.identifier)}`,
            token: connection.events.token,
            key: new CallbackKey(connection.events.encodingAESKey),
            queue: Promise.resolve(),
          },
        ]
      : [],
  );
  const kept: Delivery[] = [];
  let pending = 0;

  const seal = (target: Target, change: MemberChange): Delivery => {
    const createTime = Math.floor(now() / 1000);
    const message = contactEventXml({
      ToUserName: target.corpId,
      FromUserName: 'sys',
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'change_contact',
      ChangeType: change.changeType,
      ...change.fields,
    });
    const encrypted = target.key.seal(message, target.corpId);
    const timestamp = String(createTime);
    const nonce = String(randomInt(100_000_000, 2_000_000_000));
    return {
      connection: target.identifier,
      url: target.url,
      changeType: change.changeType,
      userid: change.userid,
      query: { msg_signature: messageSignature(target.token, timestamp, nonce, encrypted), timestamp, nonce },
      // The envelope is the same builder's output: three elements in CDATA, as WeCom sends them.
      body: contactEventXml({ ToUserName: target.corpId, AgentID: target.agentId, Encrypt: encrypted }),
      attempts: [],
      outcome: 'pending',
    };
  };

  const attempt = async (delivery: Delivery): Promise<Attempt> => {
    try {
      const response = await fetch(`${delivery.url}?${new URLSearchParams(delivery.query).toString()}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: delivery.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      const name = (error as Error).name;
      return { error: name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (error as Error).message };
    }
  };

  const deliver = async (delivery: Delivery): Promise<void> => {
    for (let index = 0; index < DELIVERY_ATTEMPTS; index += 1) {
      if (index > 0) await sleep(retryDelays[index - 1] ?? retryDelays.at(-1) ?? 0);
      const result = await attempt(delivery);
      delivery.attempts.push(result);
      if (result.status !== undefined && result.status >= 200 && result.status < 300) {
        delivery.outcome = 'delivered';
        log.info('simulator delivered a contact-change callback', {
          connection: delivery.connection,
          changeType: delivery.changeType,
          attempts: delivery.attempts.length,
        });
        return;
      }
    }
    delivery.outcome = 'failed';
    log.warn('simulator gave up on a contact-change callback after three attempts, as WeCom does', {
      connection: delivery.connection,
      changeType: delivery.changeType,
      url: delivery.url,
      attempts: delivery.attempts,
    });
  };

  return {
    targetUrls: targets.map((target) => target.url),
    recipientsOf: (change) => (change.visibleBefore || change.visibleAfter ? targets.length : 0),
    send(change) {
      if (!change.visibleBefore && !change.visibleAfter) return 0;
      for (const target of targets) {
        const delivery = seal(target, change);
        kept.push(delivery);
        if (kept.length > KEPT_DELIVERIES) kept.shift();
        pending += 1;
        target.queue = target.queue
          .then(() => deliver(delivery))
          .finally(() => {
            pending -= 1;
          });
      }
      return targets.length;
    },
    async idle() {
      // A delivery may be queued while we wait; wait until none is left.
      while (pending > 0) await Promise.all(targets.map((target) => target.queue));
    },
    deliveries: () => structuredClone(kept),
  };
}
