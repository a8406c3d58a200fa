/**
 * From what WeCom says about a member to what we keep on the account.
 *
 * Organisation fields (name, departments, position) always follow WeCom's latest answer. Contact
 * fields (email, phone, picture, gender) are only sometimes obtainable (apps created after
 * 2022-06-20 get them only through in-client consent), so an answer without them keeps the ones we
 * obtained before instead of erasing them.
 */
import type { AccountProfile } from '../model/index.js';
import type { MemberProfile } from '../wecom/index.js';

/** Contact fields besides email (which travels with its emailVerified flag). */
const KEPT_WHEN_ABSENT = ['phoneNumber', 'picture', 'gender'] as const;

export function toAccountProfile(corpId: string, member: MemberProfile, previous?: AccountProfile, groups?: string[]): AccountProfile {
  const next: AccountProfile = stripUndefined({
    username: member.userid,
    corpId,
    name: member.name,
    department: member.department,
    mainDepartment: member.mainDepartment,
    position: member.position,
    email: member.email,
    emailVerified: member.email === undefined ? undefined : member.emailVerified,
    phoneNumber: member.phoneNumber,
    picture: member.picture,
    gender: member.gender,
    groups: groups?.length ? groups : undefined,
  });
  if (previous && next.email === undefined && previous.email !== undefined) {
    next.email = previous.email;
    next.emailVerified = previous.emailVerified;
  }
  for (const field of KEPT_WHEN_ABSENT) {
    if (next[field] === undefined && previous?.[field] !== undefined) Object.assign(next, { [field]: previous[field] });
  }
  return next;
}

export function sameProfile(a: AccountProfile, b: AccountProfile): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: object): object {
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)));
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined && item !== '')) as T;
}
