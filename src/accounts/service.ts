/**
 * Accounts for WeCom members: find the account linked to (corp, userid), or create one just in time.
 *
 * The identity key is (corpId, lower-cased userid) because WeCom userids are case-insensitive; the
 * account id is random and opaque, so it can serve as the OIDC `sub` without leaking the userid and
 * survives a userid rename on the WeCom side being handled later by re-linking.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Account, AccountStore } from '../storage/types.js';
import type { MemberProfile } from '../wecom/index.js';
import { sameProfile, toAccountProfile } from './profile.js';

export type SignInOutcome =
  | { status: 'signed_in'; account: Account; created: boolean }
  | { status: 'refused'; reason: 'account_disabled'; accountId: string };

export interface WeComSignIn {
  connection: string;
  corpId: string;
  member: MemberProfile;
}

export class AccountService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  findById(id: string): Promise<Account | undefined> {
    return this.accounts.findById(id);
  }

  async signInWithWeCom({ connection, corpId, member }: WeComSignIn): Promise<SignInOutcome> {
    const existing = await this.accounts.findByIdentity(corpId, member.userid);
    if (existing) return this.signInExisting(existing, corpId, member);

    const nowSeconds = Math.floor(this.now() / 1000);
    const { account, created } = await this.accounts.createWithIdentity({
      id: newAccountId(),
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
      disabled: false,
      profile: toAccountProfile(corpId, member),
      identities: [{ corpId, userid: member.userid.toLowerCase(), connection, linkedAt: nowSeconds }],
    });
    if (!created) return this.signInExisting(account, corpId, member);
    this.log.info('account created for a new WeCom member', { accountId: account.id, connection });
    return { status: 'signed_in', account, created: true };
  }

  private async signInExisting(account: Account, corpId: string, member: MemberProfile): Promise<SignInOutcome> {
    if (account.disabled) return { status: 'refused', reason: 'account_disabled', accountId: account.id };
    const profile = toAccountProfile(corpId, member, account.profile);
    if (sameProfile(profile, account.profile)) return { status: 'signed_in', account, created: false };
    const updated = await this.accounts.updateProfile(account.id, profile, Math.floor(this.now() / 1000));
    return { status: 'signed_in', account: updated ?? account, created: false };
  }
}

/** 128 random bits, URL-safe: unguessable, and meaningless outside this service. */
function newAccountId(): string {
  return randomBytes(16).toString('base64url');
}
