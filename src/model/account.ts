/**
 * The account model: a person as this service knows them, and the WeCom identities linked to them.
 * The ground floor: everything else builds on these types, and this file imports nothing of ours.
 */

/** A WeCom identity: a member of one corp, keyed by (corpId, lower-cased userid). */
export interface WeComIdentity {
  corpId: string;
  /** Lower-cased: WeCom userids are case-insensitive, so `ZhangSan` and `zhangsan` are one person. */
  userid: string;
  /** The connection that first linked this identity (informational; the key is corp + userid). */
  connection: string;
  linkedAt: number;
  /** Our last good look at the member in WeCom (seconds since epoch); linkedAt until the first re-check. */
  checkedAt?: number;
  /** How that look was taken. */
  checkedVia?: MemberCheckSource;
}

/** How we last learned that a member is still active in WeCom. */
export type MemberCheckSource = 'sign_in' | 'event' | 'refresh' | 'reconcile';

/** When we last had a good look at this member in WeCom. */
export function lastCheckedAt(identity: WeComIdentity): number {
  return identity.checkedAt ?? identity.linkedAt;
}

/** What we know of a person, from the last WeCom sign-in. Absent fields were never obtained. */
export interface AccountProfile {
  /** The WeCom userid in the case WeCom returned it (for preferred_username). */
  username: string;
  name?: string;
  email?: string;
  emailVerified?: boolean;
  phoneNumber?: string;
  picture?: string;
  gender?: 'male' | 'female';
  department?: number[];
  mainDepartment?: number;
  position?: string;
  corpId?: string;
  /** Department names (or ids where the app may not read names), for the groups claim. */
  groups?: string[];
}

export interface Account {
  /** Opaque and stable: the OIDC `sub`. Never derived from the WeCom userid. */
  id: string;
  createdAt: number;
  /** When the profile last changed (seconds since epoch), the OIDC `updated_at`. */
  updatedAt: number;
  disabled: boolean;
  /** Imported by an administrator before any sign-in; claimed by the member whose userid is its username. */
  provisioned?: boolean;
  profile: AccountProfile;
  identities: WeComIdentity[];
  /**
   * When the account lost its last WeCom identity because the member left the corp (seconds since
   * epoch). A retired account is disabled, matches nothing and cannot be claimed: a later member
   * who is given the same userid is a different person and gets an account of their own.
   */
  retiredAt?: number;
}

export type RetireResult =
  { status: 'retired'; account: Account; /** Identities the account still has. */ remaining: number } | { status: 'not_linked' };

export type RenameResult = { status: 'renamed'; account: Account } | { status: 'not_linked' } | { status: 'conflict'; otherAccountId: string };

export type LinkResult =
  | { status: 'linked'; account: Account }
  | { status: 'already_linked'; account: Account }
  | { status: 'conflict'; otherAccountId: string }
  | { status: 'no_account' };

/** Normalises a WeCom userid for identity keys (case-insensitive per WeCom). */
export function identityKey(corpId: string, userid: string): string {
  return `${corpId}/${userid.toLowerCase()}`;
}

/**
 * Provisioned and unclaimed: an account the administrator imported before any sign-in, which the
 * member whose userid is its username claims on their first sign-in (and nobody else can).
 */
export function isUnclaimedProvisioned(account: Account): boolean {
  return account.provisioned === true && account.identities.length === 0;
}
