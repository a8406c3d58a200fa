/**
 * The store ports: what the rest of the service asks of storage. The lowdb driver implements them
 * for one machine; the PostgreSQL driver implements the same interface for several replicas, so every method is async and every operation
 * that must be atomic across replicas (take a login state, create an account for an identity,
 * create keys once) is one method, not a read followed by a write in the caller.
 */
import type { Account, AccountProfile, LinkResult, MemberCheckSource, RenameResult, RetireResult, WeComIdentity } from './account.js';
import type { LoginState, LoginStateOwner } from './login-state.js';
import type { MatchField } from './match-fields.js';

/**
 * The oidc-provider model every anonymous `/auth` request creates (an unfinished sign-in attempt):
 * capped per process (security/pre-auth-cap.ts) and, on PostgreSQL, kept apart to be vacuumed as
 * it churns.
 */
export const PRE_AUTH_MODEL = 'Interaction';

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
  /**
   * Marks the record consumed, once: true when this call did, false when it was consumed already
   * (or has expired or gone). Of two redemptions of one code at the same moment, one gets true.
   */
  consume(model: string, id: string): Promise<boolean>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(model: string, grantId: string): Promise<void>;
  /** Removes every session, grant and token of an account (when it is disabled); returns the count. */
  revokeByAccountId(accountId: string): Promise<number>;
  /** The account's live Session payloads (whose `authorizations` name the clients to notify at logout). */
  sessionsOfAccount(accountId: string): Promise<ModelPayload[]>;
}

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
  /**
   * Records `state` (one that was never `put`: the embedded panel's, derived from its attempt) as
   * used, unless a live record of it exists already. True for the first caller only, however many
   * processes ask at once; the record then answers `peek` and `take` like a put one.
   */
  spend(state: string, value: LoginState, expiresInSeconds: number): Promise<boolean>;
}

export interface AccountStore {
  findById(id: string): Promise<Account | undefined>;
  findByIdentity(corpId: string, userid: string): Promise<Account | undefined>;
  /**
   * Creates `account` unless its id is taken or one of its identities is already linked, in which
   * case the existing account is returned: two concurrent first sign-ins of one member, or two
   * deliveries of one WeCom create_user event (see provisionedAccountId), yield one account.
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

/** A cached WeCom access_token (epoch milliseconds), as the token cache (wecom/api/token-cache.ts) keeps it. */
export interface StoredAccessToken {
  value: string;
  /** After this WeCom no longer accepts the token. */
  expiresAt: number;
  /** From this a caller should fetch a new one instead of using this. */
  refreshAt: number;
}

/**
 * Where the WeCom access_token cache keeps its tokens (behind wecom/api/token-cache.ts).
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

/**
 * Who may open a store at once, as each driver declares it (storage/index.ts asks before opening).
 * `single-process`: one server process owns it (lowdb's JSON file), so the admin CLI hands its
 * commands to that process over a socket; `shared`: any number of replicas and the admin CLI open
 * it directly (PostgreSQL).
 */
export type StorageSharing = 'single-process' | 'shared';

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
