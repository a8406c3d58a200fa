/**
 * The storage interface. The lowdb driver implements it for one machine; the PostgreSQL driver
 * implements the same interface for several replicas, so every method is async and every operation
 * that must be atomic across replicas (take a login state, create an account for an identity,
 * create keys once) is one method, not a read followed by a write in the caller.
 */

/** What oidc-provider hands its adapter: an opaque JSON object with a few indexed fields. */
export interface ModelPayload {
  [key: string]: unknown;
  uid?: string;
  grantId?: string;
  userCode?: string;
  consumed?: number;
}

/** oidc-provider's adapter contract, for every model name it uses (Session, AccessToken, ...). */
export interface ModelStore {
  upsert(model: string, id: string, payload: ModelPayload, expiresInSeconds?: number): Promise<void>;
  find(model: string, id: string): Promise<ModelPayload | undefined>;
  findByUid(model: string, uid: string): Promise<ModelPayload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<ModelPayload | undefined>;
  consume(model: string, id: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(model: string, grantId: string): Promise<void>;
  /** Removes every session, grant and token of an account (when it is disabled); returns the count. */
  revokeByAccountId(accountId: string): Promise<number>;
  /** The account's live Session payloads (whose `authorizations` name the clients to notify at logout). */
  sessionsOfAccount(accountId: string): Promise<ModelPayload[]>;
}

/** The `state` of one WeCom login, kept server-side so it can be checked and used exactly once. */
export interface LoginState {
  /** The oidc-provider interaction this login belongs to. */
  interactionUid: string;
  /** The connection identifier the login was started through. */
  connection: string;
  /** How the login was started, so the callback can tell QR from in-client. */
  method: 'qr' | 'in_client';
  /**
   * `bind_proof`: this login only proves which existing account the person owns, to link the
   * WeCom identity waiting on the bind page to it. Absent: an ordinary sign-in.
   */
  purpose?: 'bind_proof';
}

/** Whose a login state is: the sign-in attempt (interaction) and connection it was issued to. */
export type LoginStateOwner = Pick<LoginState, 'interactionUid' | 'connection'>;

export interface LoginStateStore {
  put(state: string, value: LoginState, expiresInSeconds: number): Promise<void>;
  /**
   * Returns the state and deletes it in one step; a second call (a replay) returns undefined.
   * With `owner`, only a state issued to that owner is taken (in the same step): one presented by
   * another attempt returns undefined and stays for its owner.
   */
  take(state: string, owner?: LoginStateOwner): Promise<LoginState | undefined>;
  /**
   * Reads a live state without taking it, so a callback can check whom it belongs to first: a
   * state presented by the wrong sign-in attempt must stay for its owner (a value never changes).
   */
  peek(state: string): Promise<LoginState | undefined>;
}

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
  | { status: 'retired'; account: Account; /** Identities the account still has. */ remaining: number }
  | { status: 'not_linked' };

export type RenameResult = { status: 'renamed'; account: Account } | { status: 'not_linked' } | { status: 'conflict'; otherAccountId: string };

export interface AccountStore {
  findById(id: string): Promise<Account | undefined>;
  findByIdentity(corpId: string, userid: string): Promise<Account | undefined>;
  /**
   * Creates `account` unless one of its identities is already linked, in which case the existing
   * account is returned: two concurrent first sign-ins of one member yield one account.
   */
  createWithIdentity(account: Account): Promise<{ account: Account; created: boolean }>;
  /** Replaces the profile (and updatedAt) of an existing account. */
  updateProfile(id: string, profile: AccountProfile, updatedAt: number): Promise<Account | undefined>;
  /** Every account, oldest first (for the admin CLI). */
  list(): Promise<Account[]>;
  /** Accounts whose `field` equals `value` after normalisation (see matchKey). */
  findByMatchField(field: MatchField, value: string): Promise<Account[]>;
  /**
   * Links an identity to an existing account, atomically: refused when the identity already
   * belongs to another account.
   */
  linkIdentity(accountId: string, identity: WeComIdentity): Promise<LinkResult>;
  /** Removes an identity from an account; false when the account did not have it. */
  unlinkIdentity(accountId: string, corpId: string, userid: string): Promise<boolean>;
  setDisabled(accountId: string, disabled: boolean): Promise<Account | undefined>;
  /**
   * The member left the corp: removes the identity from the account, atomically; when it was the
   * account's last one, the account is also disabled and marked retired (see Account.retiredAt).
   * A second call for the same identity is `not_linked`, so repeated events change nothing twice.
   */
  retireIdentity(accountId: string, corpId: string, userid: string, retiredAt: number): Promise<RetireResult>;
  /** WeCom renamed the member's userid: the same account keeps the identity under its new userid. */
  renameIdentity(corpId: string, fromUserid: string, toUserid: string): Promise<RenameResult>;
  /** Records a good look at the member in WeCom. */
  markChecked(corpId: string, userid: string, checkedAt: number, via: MemberCheckSource): Promise<void>;
}

export type LinkResult =
  | { status: 'linked'; account: Account }
  | { status: 'already_linked'; account: Account }
  | { status: 'conflict'; otherAccountId: string }
  | { status: 'no_account' };

/** The account fields association can match a WeCom member on. Never `name`: names are not unique. */
export type MatchField = 'username' | 'email' | 'phone_number';

/**
 * The comparable form of a match field's value, or undefined when there is nothing to compare.
 * Usernames and emails compare case-insensitively; phone numbers by their digits, with China's
 * +86 prefix dropped (WeCom reports mainland mobiles as 11 digits).
 */
export function matchKey(field: MatchField, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (field === 'phone_number') {
    const digits = value.replace(/\D/g, '');
    const national = digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
    return national || undefined;
  }
  const key = value.trim().toLowerCase();
  return key || undefined;
}

/** The value of a match field in a profile. */
export function profileMatchValue(profile: AccountProfile, field: MatchField): string | undefined {
  switch (field) {
    case 'username':
      return profile.username;
    case 'email':
      return profile.email;
    case 'phone_number':
      return profile.phoneNumber;
  }
}

/** Long-lived secrets generated on first start: signing keys, cookie keys. */
export interface KeyStore {
  /** Returns the stored value, or stores and returns `create()`'s result if there is none yet. */
  getOrCreate<T>(name: string, create: () => Promise<T> | T): Promise<T>;
  /**
   * Replaces the stored value with `change(current)` atomically (no other update of `name` runs in
   * between, across processes for shared drivers) and returns the new value.
   */
  update<T>(name: string, change: (current: T | undefined) => T | Promise<T>): Promise<T>;
}

/**
 * A cached WeCom access_token (epoch milliseconds). The same shape as wecom/token-cache.ts's
 * `StoredAccessToken`, declared here so that storage does not depend on the WeCom client.
 */
export interface StoredAccessToken {
  value: string;
  /** After this WeCom no longer accepts the token. */
  expiresAt: number;
  /** From this a caller should fetch a new one instead of using this. */
  refreshAt: number;
}

/**
 * Where the WeCom access_token cache keeps its tokens (wecom/token-cache.ts's `AccessTokenStore`).
 * A shared driver lets replicas share one token and one refresh: `remove` is compare-and-delete and
 * `withRefreshLock` is exclusive per key across every process using the store.
 */
export interface AccessTokenStore {
  read(key: string): Promise<StoredAccessToken | undefined>;
  write(key: string, token: StoredAccessToken): Promise<void>;
  /** Deletes the entry only if it still holds `value`. */
  remove(key: string, value: string): Promise<void>;
  /** Runs `refresh` holding the key's refresh lock: no other holder of that key's lock runs meanwhile. */
  withRefreshLock<T>(key: string, refresh: () => Promise<T>): Promise<T>;
}

export interface Storage {
  readonly models: ModelStore;
  readonly loginStates: LoginStateStore;
  readonly accounts: AccountStore;
  readonly keys: KeyStore;
  readonly accessTokens: AccessTokenStore;
  /**
   * Runs one request's work (the server wraps every request in it). A driver may use it to save
   * round trips: remember reads for the rest of the request, hold model writes and send them
   * together once `work` is done. Whatever it holds is written before this resolves, so before
   * the response goes out: a client is never told of something a crash could still lose.
   * Optional: without it every call goes straight to the store.
   */
  unitOfWork?<T>(work: () => Promise<T>): Promise<T>;
  /** Flushes pending writes and releases the store. */
  close(): Promise<void>;
}

/** Normalises a WeCom userid for identity keys (case-insensitive per WeCom). */
export function identityKey(corpId: string, userid: string): string {
  return `${corpId}/${userid.toLowerCase()}`;
}
