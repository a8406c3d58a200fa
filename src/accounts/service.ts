/**
 * Accounts for WeCom members: which account a member signs in to, whether one may be created, and
 * the administrator's operations on accounts.
 *
 * The identity key is (corpId, lower-cased userid) because WeCom userids are case-insensitive; the
 * account id is random and opaque, so it can be the OIDC `sub` without leaking the userid.
 *
 * A member with no linked account, in order:
 * 1. an account the administrator provisioned (imported) for this userid is claimed, whatever the
 *    association mode: provisioning is the administrator saying "this account is theirs";
 * 2. association `match` links to the one account matching on a configured field (ambiguity
 *    refuses); `bind` hands the choice to the person (see interaction/bind-routes.ts);
 * 3. otherwise a new account is created, unless the connection is login-only.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Logger } from '../observability/log.js';
import {
  identityKey,
  isUnclaimedProvisioned,
  lastCheckedAt,
  type Account,
  type AccountStore,
  type MatchField,
  type WeComIdentity,
} from '../model/index.js';
import type { MemberProfile } from '../wecom/index.js';
import type { ConnectionConfig } from '../config/schema.js';
import { findMatchingAccount } from './association.js';
import type { AccessRevoker } from './lifecycle.js';
import { sameProfile, toAccountProfile } from './profile.js';

export type SignInOutcome =
  | { status: 'signed_in'; account: Account; created: boolean; linkedBy?: MatchField | 'provisioned' | 'bind' }
  | { status: 'refused'; reason: 'account_disabled'; accountId: string }
  | { status: 'refused'; reason: 'not_provisioned' }
  | { status: 'refused'; reason: 'ambiguous_match'; field: MatchField; candidates: number }
  | { status: 'needs_binding' };

export interface WeComSignIn {
  connection: Pick<ConnectionConfig, 'identifier' | 'loginOnly' | 'association'>;
  corpId: string;
  member: MemberProfile;
  /** Department names for the groups claim (ids where names could not be read). */
  groups?: string[];
}

export class AccountService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly revoker: AccessRevoker,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  findById(id: string): Promise<Account | undefined> {
    return this.accounts.findById(id);
  }

  /** The account already linked to this member, if any (no creation, no linking). */
  findLinked(corpId: string, userid: string): Promise<Account | undefined> {
    return this.accounts.findByIdentity(corpId, userid);
  }

  async signInWithWeCom(signIn: WeComSignIn): Promise<SignInOutcome> {
    const { connection, corpId, member } = signIn;
    const existing = await this.accounts.findByIdentity(corpId, member.userid);
    if (existing) return this.signInExisting(existing, signIn);

    const provisioned = await findMatchingAccount(this.accounts, corpId, member, ['username'], isUnclaimedProvisioned);
    if (provisioned.status === 'one') return this.linkAndSignIn(provisioned.account, signIn, 'provisioned');

    const { association } = connection;
    if (association.mode === 'match') {
      const match = await findMatchingAccount(this.accounts, corpId, member, association.fields);
      if (match.status === 'one') return this.linkAndSignIn(match.account, signIn, match.field);
      if (match.status === 'ambiguous') {
        this.log.warn('association found several accounts for one WeCom member; nothing linked', {
          connection: connection.identifier,
          field: match.field,
          candidates: match.candidates,
        });
        return { status: 'refused', reason: 'ambiguous_match', field: match.field, candidates: match.candidates.length };
      }
    }
    if (association.mode === 'bind') return { status: 'needs_binding' };
    if (connection.loginOnly) return { status: 'refused', reason: 'not_provisioned' };
    return this.createForMember(signIn);
  }

  /** The person chose "create a new account" on the bind page. */
  async createForMember(signIn: WeComSignIn): Promise<SignInOutcome> {
    const nowSeconds = this.nowSeconds();
    const { account, created } = await this.accounts.createWithIdentity({
      id: newAccountId(),
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
      disabled: false,
      profile: toAccountProfile(signIn.corpId, signIn.member, undefined, signIn.groups),
      identities: [this.identityFor(signIn)],
    });
    if (!created) return this.signInExisting(account, signIn);
    this.log.info('account created for a new WeCom member', { accountId: account.id, connection: signIn.connection.identifier });
    return { status: 'signed_in', account, created: true };
  }

  /** The person proved on the bind page that `account` is theirs (by signing in to it another way). */
  linkByProof(account: Account, signIn: WeComSignIn): Promise<SignInOutcome> {
    return this.linkAndSignIn(account, signIn, 'bind');
  }

  async setDisabled(accountId: string, disabled: boolean): Promise<{ account?: Account; revoked: number; notified: number }> {
    const account = await this.accounts.setDisabled(accountId, disabled);
    // Disabling ends every session and grant at once: refresh tokens stop working now, not at expiry,
    // and clients with back-channel logout hear of it.
    const { revoked, notified } = account && disabled ? await this.revoker.endAccess(accountId) : { revoked: 0, notified: 0 };
    if (account) this.log.info(disabled ? 'account disabled' : 'account enabled', { accountId, revoked, clientsNotified: notified });
    return { account, revoked, notified };
  }

  private async linkAndSignIn(account: Account, signIn: WeComSignIn, linkedBy: MatchField | 'provisioned' | 'bind'): Promise<SignInOutcome> {
    if (account.disabled) return { status: 'refused', reason: 'account_disabled', accountId: account.id };
    const result = await this.accounts.linkIdentity(account.id, this.identityFor(signIn));
    if (result.status === 'conflict') {
      // Someone linked this identity a moment ago: sign in to that account instead.
      const winner = await this.accounts.findById(result.otherAccountId);
      if (winner) return this.signInExisting(winner, signIn);
    }
    if (result.status === 'no_account') return this.createForMember(signIn);
    this.log.info('WeCom member linked to an existing account', {
      accountId: account.id,
      connection: signIn.connection.identifier,
      linkedBy,
    });
    const outcome = await this.signInExisting(account, signIn);
    return outcome.status === 'signed_in' ? { ...outcome, linkedBy } : outcome;
  }

  private async signInExisting(account: Account, signIn: WeComSignIn): Promise<SignInOutcome> {
    if (account.disabled) return { status: 'refused', reason: 'account_disabled', accountId: account.id };
    await this.rememberGoodLook(account, signIn);
    const profile = toAccountProfile(signIn.corpId, signIn.member, account.profile, signIn.groups);
    if (sameProfile(profile, account.profile)) return { status: 'signed_in', account, created: false };
    const updated = await this.accounts.updateProfile(account.id, profile, this.nowSeconds());
    return { status: 'signed_in', account: updated ?? account, created: false };
  }

  /** A sign-in read the member from WeCom just now: refreshes need not re-check them for a while. */
  private async rememberGoodLook(account: Account, signIn: WeComSignIn): Promise<void> {
    const key = identityKey(signIn.corpId, signIn.member.userid);
    const identity = account.identities.find((candidate) => identityKey(candidate.corpId, candidate.userid) === key);
    const nowSeconds = this.nowSeconds();
    // Skipped when just recorded (a link or a sign-in a moment ago): one write saved on busy sign-ins.
    if (!identity || nowSeconds - lastCheckedAt(identity) < RECHECK_RECORD_INTERVAL_SECONDS) return;
    await this.accounts.markChecked(signIn.corpId, signIn.member.userid, nowSeconds, 'sign_in');
  }

  private identityFor(signIn: WeComSignIn): WeComIdentity {
    return {
      corpId: signIn.corpId,
      userid: signIn.member.userid.toLowerCase(),
      connection: signIn.connection.identifier,
      linkedAt: this.nowSeconds(),
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

/** How stale a recorded check may be before a sign-in writes a new one. */
const RECHECK_RECORD_INTERVAL_SECONDS = 60;

/** 128 random bits, URL-safe: unguessable, and meaningless outside this service. */
export function newAccountId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The id of the account provisioned for one WeCom `create_user` event: the same for every delivery
 * of that event (WeCom delivers it again when our answer was slow, perhaps to another replica), so
 * the second delivery meets the first one's account instead of provisioning a twin. 128 bits of an
 * HMAC keyed from the app's secret: as unguessable and as meaningless outside this service as
 * newAccountId's.
 */
export function provisionedAccountId(appSecret: string, event: { corpId: string; userid: string; createTime: number }): string {
  const key = Buffer.from(hkdfSync('sha256', appSecret, '', 'wecom-oidc provisioned account id', 32));
  return createHmac('sha256', key)
    .update(JSON.stringify([event.corpId, event.userid.toLowerCase(), event.createTime]))
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
