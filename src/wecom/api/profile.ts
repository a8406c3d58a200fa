/**
 * Turns what WeCom told us about a member into the profile the accounts layer stores.
 *
 * Only claims we can defend: an email is "verified" only when it is the corp-issued
 * mailbox (`biz_mail`), never for the personal `email` a member typed in. Newer apps get no contact
 * fields at all, so every field but `userid` and `department` may be absent, and WeCom's empty
 * strings mean absent too.
 */
import type { WeComGender, WeComMember, WeComUserDetail } from './responses.js';

export interface MemberProfile {
  /** Exactly as WeCom returned it (userids are case-insensitive; comparing is the caller's job). */
  userid: string;
  name?: string;
  department: number[];
  mainDepartment?: number;
  position?: string;
  alias?: string;
  email?: string;
  /** True only for the corp-issued `biz_mail`: the corp, not the member, vouches for it. */
  emailVerified: boolean;
  phoneNumber?: string;
  picture?: string;
  gender?: 'male' | 'female';
}

/** `detail` (from getuserdetail, consented by the member) wins over `user/get` wherever both have a value. */
export function toMemberProfile(member: WeComMember, detail?: WeComUserDetail): MemberProfile {
  const pick = (field: 'biz_mail' | 'email' | 'mobile' | 'avatar'): string | undefined => present(detail?.[field]) ?? present(member[field]);

  const bizMail = pick('biz_mail');
  const email = bizMail ?? pick('email');
  const profile: MemberProfile = {
    userid: member.userid,
    department: [...member.department],
    emailVerified: bizMail !== undefined,
  };
  assign(profile, 'name', present(member.name));
  assign(profile, 'mainDepartment', member.main_department);
  assign(profile, 'position', present(member.position));
  assign(profile, 'alias', present(member.alias));
  assign(profile, 'email', email);
  assign(profile, 'phoneNumber', pick('mobile'));
  assign(profile, 'picture', pick('avatar'));
  assign(profile, 'gender', toGender(detail?.gender) ?? toGender(member.gender));
  return profile;
}

/** WeCom: 1 male, 2 female, 0 undisclosed. Undisclosed is no claim at all. */
function toGender(gender: WeComGender | undefined): MemberProfile['gender'] {
  if (gender === '1') return 'male';
  if (gender === '2') return 'female';
  return undefined;
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Leaves absent fields out of the object instead of storing `undefined` keys. */
function assign<K extends keyof MemberProfile>(profile: MemberProfile, key: K, value: MemberProfile[K] | undefined): void {
  if (value !== undefined) profile[key] = value;
}
