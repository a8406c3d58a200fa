/**
 * `keys list|rotate`: the signing key ring and its safe rotation (see oidc/keys.ts). Each rotate is
 * one step — publish the next keys, or start signing with them — so an operator runs it, waits for
 * RPs to refresh their cached JWKS (a day is generous), and runs it again. Old keys stay published
 * until every token they signed has expired, then go by themselves.
 */
import { jwksOf, loadKeyRing, rotateKeys, type KeyRing } from '../oidc/keys.js';
import { TTL } from '../oidc/ttl.js';
import { done, isParsedCommand, parseCommandArgs, type ParsedCommand } from './command.js';
import type { AdminContext, AdminResult } from './context.js';
import { isoDate, json, table } from './format.js';
import type { Lang } from '../model/index.js';

const OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const HELP_ONLY = { help: { type: 'boolean', short: 'h' } } as const;

/** Longest lifetime of anything we sign (ID tokens), plus a minute of clock skew. */
const SIGNED_TOKEN_LIFETIME = TTL.IdToken + 60;

function keysCommand(run: (ctx: AdminContext) => Promise<AdminResult>): ParsedCommand {
  return { kind: 'storage', inputFiles: [], run };
}

export function parseKeysList(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, OPTIONS, [], 'keys', lang);
  if (isParsedCommand(parsed)) return parsed;
  return keysCommand(async (ctx) => {
    const ring = await loadKeyRing(ctx.storage.keys, nowSeconds());
    return done(parsed.values.json ? json(describe(ring)) : ringTable(ring));
  });
}

export function parseKeysRotate(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, HELP_ONLY, [], 'keys', lang);
  if (isParsedCommand(parsed)) return parsed;
  return keysCommand(async (ctx) => {
    const { step, ring } = await rotateKeys(ctx.storage.keys, nowSeconds(), SIGNED_TOKEN_LIFETIME);
    await ctx.onKeysChanged?.();
    const zh = ctx.lang === 'zh-CN';
    const summary =
      step === 'published'
        ? zh
          ? '已发布下一组签名密钥（暂不用于签名）。等依赖方刷新 JWKS 缓存后（建议至少一天），再次运行 keys rotate 开始使用它们签名。'
          : 'Published the next signing keys (not signing with them yet). Once relying parties have refreshed their cached JWKS (a day is generous), run keys rotate again to start signing with them.'
        : zh
          ? `已开始使用新密钥签名。旧密钥仍会发布，直到它签发的令牌全部过期（约 ${Math.ceil(SIGNED_TOKEN_LIFETIME / 60)} 分钟）后自动移除。`
          : `Now signing with the new keys. The old ones stay published until every token they signed has expired (about ${Math.ceil(SIGNED_TOKEN_LIFETIME / 60)} minutes), then go by themselves.`;
    return done(`${summary}\n\n${ringTable(ring)}`);
  });
}

function describe(ring: KeyRing) {
  return {
    version: ring.version,
    keys: ring.keys.map((key) => ({
      kid: key.jwk.kid,
      alg: key.jwk.alg,
      state: key.state,
      since: isoDate(key.since),
      ...(key.retireAfter ? { retireAfter: isoDate(key.retireAfter) } : {}),
    })),
    published: jwksOf(ring).keys.map((key) => key.kid),
  };
}

function ringTable(ring: KeyRing): string {
  return table(
    ['KID', 'ALG', 'STATE', 'SINCE', 'RETIRES AFTER'],
    ring.keys.map((key) => [key.jwk.kid, key.jwk.alg, key.state, isoDate(key.since), key.retireAfter ? isoDate(key.retireAfter) : '']),
  );
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
