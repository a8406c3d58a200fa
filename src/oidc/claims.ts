/**
 * Which claims each scope releases, and an account's claims. Only what WeCom actually gave us is
 * emitted: a member with no email simply has no `email` claim (never an empty string), unless the
 * connection has an `emailFallback`; `email_verified` is true only for the corp-issued mailbox (see
 * wecom/api/profile.ts) or a template the administrator declared verified.
 */
import { fallbackEmailFor, type FallbackConnection } from '../accounts/email-fallback.js';
import type { Account } from '../model/index.js';
import type { IdTokenClaims } from './client-metadata.js';

export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'wecom'];

/** What the claims depend on besides the account: the configured groups claim name and connections. */
export interface ClaimsPolicy {
  /** The configured name of the department-names claim (config `groupsClaim`). */
  groupsClaim: string;
  /** For their `emailFallback`. */
  connections: readonly FallbackConnection[];
}

/** The claims each scope releases, before the configured groups claim joins `wecom`. */
export const SCOPE_CLAIMS = {
  // amr (how the person signed in, e.g. wecom_qr) comes with openid so every ID token carries it.
  openid: ['sub', 'amr'],
  profile: ['name', 'preferred_username', 'picture', 'gender', 'updated_at'],
  email: ['email', 'email_verified'],
  phone: ['phone_number'],
  wecom: ['wecom_corpid', 'wecom_userid', 'department', 'main_department', 'position'],
} as const;

/** Claims the protocol itself puts in tokens: no configured claim may take their names. */
export const PROTOCOL_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
] as const;

/** @param groupsClaim the configured name of the department-names claim (config `groupsClaim`). */
export function scopeClaims(groupsClaim: string): Record<string, string[]> {
  const claims: Record<string, string[]> = Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, names]) => [scope, [...names]]));
  claims.wecom = [...SCOPE_CLAIMS.wecom, groupsClaim];
  return claims;
}

export type AccountClaims = { sub: string; [claim: string]: unknown };

export function accountClaims(account: Account, policy: ClaimsPolicy): AccountClaims {
  const { profile } = account;
  const fallback = profile.email === undefined ? fallbackEmailFor(account.identities, policy.connections) : undefined;
  const claims: Record<string, unknown> = {
    name: profile.name,
    preferred_username: profile.username,
    picture: profile.picture,
    gender: profile.gender,
    updated_at: account.updatedAt,
    email: profile.email ?? fallback?.email,
    email_verified: profile.email !== undefined ? profile.emailVerified === true : fallback?.verified,
    phone_number: profile.phoneNumber,
    wecom_corpid: profile.corpId,
    wecom_userid: profile.corpId ? profile.username : undefined,
    department: profile.department,
    main_department: profile.mainDepartment,
    position: profile.position,
    [policy.groupsClaim]: profile.groups,
  };
  return {
    ...Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined && value !== '')),
    sub: account.id,
  };
}

/**
 * The claims one use of them may carry. oidc-provider then keeps, of these, the ones the granted
 * scopes and the `claims` parameter allow (and drops rejected ones). For a `minimal` client's ID
 * token that is only what the `claims` parameter asked for, as OIDC Core 5.4 has it (oidc-provider's
 * `conformIdTokenClaims`, made per client); userinfo and `scopes` clients get everything.
 *
 * @param requested the `claims` parameter's member for this use (`id_token` or `userinfo`)
 */
export function claimsForUse(all: AccountClaims, use: string, setting: IdTokenClaims, requested: Record<string, unknown> | undefined): AccountClaims {
  if (use !== 'id_token' || setting === 'scopes') return all;
  const asked = new Set(Object.keys(requested ?? {}));
  return { ...Object.fromEntries(Object.entries(all).filter(([claim]) => asked.has(claim))), sub: all.sub };
}
