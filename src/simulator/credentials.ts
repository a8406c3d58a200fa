/**
 * Everything the simulator hands out and later checks: access tokens, login codes and user tickets.
 *
 * All of it lives in memory. A restart of the simulator (that is, of our server) forgets every code,
 * ticket and token, which the real WeCom would not do; clients then see 40014/40029 and recover the
 * same way they would after an early invalidation, so this is good enough for a development stand-in.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorClock } from './clock.js';
import { ACCESS_TOKEN_TTL_SECONDS, LOGIN_CODE_TTL_MS, USER_TICKET_TTL_SECONDS } from './constants.js';

/** The app a token belongs to (each app has its own secret, hence its own tokens). */
export interface AppRef {
  corpId: string;
  agentId: string;
}

export type LoginIdentity = { kind: 'member'; userid: string } | { kind: 'wechat'; openid: string };

export interface CodeGrant {
  corpId: string;
  /** Undefined for an in-client code requested without `agentid`: any app of the corp may redeem it. */
  agentId: string | undefined;
  identity: LoginIdentity;
  /** Issued through in-client `snsapi_privateinfo` consent: getuserinfo also returns a user_ticket. */
  withUserTicket: boolean;
}

export interface TicketGrant {
  corpId: string;
  agentId: string;
  userid: string;
}

interface Issued<T> {
  grant: T;
  issuedAt: number;
}

const TOKEN_TTL_MS = ACCESS_TOKEN_TTL_SECONDS * 1000;
const TICKET_TTL_MS = USER_TICKET_TTL_SECONDS * 1000;

export type TokenCheck = { ok: true; app: AppRef } | { ok: false; errcode: 40014 | 42001 };
export type CodeRedemption = { ok: true; grant: CodeGrant } | { ok: false; errcode: 40029 | 50001 };
export type TicketCheck = { ok: true; grant: TicketGrant } | { ok: false; errcode: 84014 | 84015 };

export interface Credentials {
  mintAccessToken(app: AppRef): string;
  checkAccessToken(token: string): TokenCheck;
  /** Those tokens answer 40014 from now on, as after a secret reset. */
  invalidateAccessTokens(corpId?: string): void;
  issueCode(grant: CodeGrant): string;
  /** Single use: a successful redemption consumes the code; a failed one leaves it as it was. */
  redeemCode(code: string, app: AppRef): CodeRedemption;
  issueUserTicket(grant: TicketGrant): string;
  checkUserTicket(ticket: string, app: AppRef): TicketCheck;
}

const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Drops entries long past their lifetime so that a long-running dev server does not grow forever. */
function sweep<T>(entries: Map<string, Issued<T>>, now: number, keepMs: number): void {
  for (const [key, entry] of entries) {
    if (now - entry.issuedAt > keepMs) entries.delete(key);
  }
}

export function createCredentials(clock: SimulatorClock): Credentials {
  const tokens = new Map<string, Issued<AppRef>>();
  const codes = new Map<string, Issued<CodeGrant>>();
  const tickets = new Map<string, Issued<TicketGrant>>();

  return {
    mintAccessToken(app) {
      // Expired tokens are kept one more lifetime so they answer 42001 (expired), not 40014 (unknown).
      sweep(tokens, clock.now(), 2 * TOKEN_TTL_MS);
      const token = secret(96);
      tokens.set(token, { grant: { corpId: app.corpId, agentId: app.agentId }, issuedAt: clock.now() });
      return token;
    },
    checkAccessToken(token) {
      const entry = tokens.get(token);
      if (!entry) return { ok: false, errcode: 40014 };
      if (clock.now() - entry.issuedAt >= TOKEN_TTL_MS) return { ok: false, errcode: 42001 };
      return { ok: true, app: entry.grant };
    },
    invalidateAccessTokens(corpId) {
      for (const [token, entry] of tokens) {
        if (corpId === undefined || entry.grant.corpId === corpId) tokens.delete(token);
      }
    },
    issueCode(grant) {
      sweep(codes, clock.now(), LOGIN_CODE_TTL_MS);
      const code = secret(32);
      codes.set(code, { grant, issuedAt: clock.now() });
      return code;
    },
    redeemCode(code, app) {
      const entry = codes.get(code);
      if (!entry || clock.now() - entry.issuedAt >= LOGIN_CODE_TTL_MS) return { ok: false, errcode: 40029 };
      const { grant } = entry;
      if (grant.corpId !== app.corpId || (grant.agentId !== undefined && grant.agentId !== app.agentId)) {
        return { ok: false, errcode: 50001 };
      }
      codes.delete(code);
      return { ok: true, grant };
    },
    issueUserTicket(grant) {
      sweep(tickets, clock.now(), 2 * TICKET_TTL_MS);
      const ticket = secret(48);
      tickets.set(ticket, { grant, issuedAt: clock.now() });
      return ticket;
    },
    checkUserTicket(ticket, app) {
      const entry = tickets.get(ticket);
      if (!entry || entry.grant.corpId !== app.corpId || entry.grant.agentId !== app.agentId) {
        return { ok: false, errcode: 84015 };
      }
      if (clock.now() - entry.issuedAt >= TICKET_TTL_MS) return { ok: false, errcode: 84014 };
      return { ok: true, grant: entry.grant };
    },
  };
}
