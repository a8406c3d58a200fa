/**
 * Which claims each scope releases, and an account's claims. Only what WeCom actually gave us is
 * emitted: a member with no email simply has no `email` claim (never an empty string), and
 * `email_verified` is true only for the corp-issued mailbox (see wecom/profile.ts).
 */
import type { Account } from '../storage/types.js';

export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'wecom'];

/** @param groupsClaim the configured name of the department-names claim (config `groupsClaim`). */
export function scopeClaims(groupsClaim: string): Record<string, string[]> {
  return {
    // amr (how the person signed in, e.g. wecom_qr) comes with openid so every ID token carries it.
    openid: ['sub', 'amr'],
    profile: ['name', 'preferred_username', 'picture', 'gender', 'updated_at'],
    email: ['email', 'email_verified'],
    phone: ['phone_number'],
    wecom: ['wecom_corpid', 'wecom_userid', 'department', 'main_department', 'position', groupsClaim],
  };
}

export function accountClaims(account: Account, groupsClaim: string): { sub: string; [claim: string]: unknown } {
  const { profile } = account;
  const claims: Record<string, unknown> = {
    name: profile.name,
    preferred_username: profile.username,
    picture: profile.picture,
    gender: profile.gender,
    updated_at: account.updatedAt,
    email: profile.email,
    email_verified: profile.email === undefined ? undefined : profile.emailVerified === true,
    phone_number: profile.phoneNumber,
    wecom_corpid: profile.corpId,
    wecom_userid: profile.corpId ? profile.username : undefined,
    department: profile.department,
    main_department: profile.mainDepartment,
    position: profile.position,
    [groupsClaim]: profile.groups,
  };
  return {
    ...Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined && value !== '')),
    sub: account.id,
  };
}
