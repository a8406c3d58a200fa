/**
 * Accounts and their WeCom identities in the lowdb file. The identity index makes
 * "find the account of (corp, userid)" one map lookup, and creation atomic: the check and the
 * insert happen in one synchronous step, so concurrent first sign-ins of one member cannot make two
 * accounts.
 */
import { identityKey, type Account, type AccountProfile, type AccountStore } from '../types.js';
import type { LowdbFile } from './database.js';

export class LowdbAccountStore implements AccountStore {
  constructor(private readonly file: LowdbFile) {}

  async findById(id: string): Promise<Account | undefined> {
    return this.file.data.accounts[id];
  }

  async findByIdentity(corpId: string, userid: string): Promise<Account | undefined> {
    const id = this.file.data.identities[identityKey(corpId, userid)];
    return id === undefined ? undefined : this.file.data.accounts[id];
  }

  async createWithIdentity(account: Account): Promise<{ account: Account; created: boolean }> {
    const { accounts, identities } = this.file.data;
    for (const identity of account.identities) {
      const existing = identities[identityKey(identity.corpId, identity.userid)];
      if (existing !== undefined && accounts[existing]) return { account: accounts[existing], created: false };
    }
    accounts[account.id] = account;
    for (const identity of account.identities) identities[identityKey(identity.corpId, identity.userid)] = account.id;
    await this.file.persist();
    return { account, created: true };
  }

  async updateProfile(id: string, profile: AccountProfile, updatedAt: number): Promise<Account | undefined> {
    const account = this.file.data.accounts[id];
    if (!account) return undefined;
    account.profile = profile;
    account.updatedAt = updatedAt;
    await this.file.persist();
    return account;
  }
}
