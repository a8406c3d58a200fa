/**
 * Accounts and their WeCom identities in the lowdb file. In-memory indexes make "the account of
 * (corp, userid)" and "the accounts whose email is X" map lookups, and every check-then-write is one
 * synchronous step, so concurrent first sign-ins of one member cannot make two accounts and two
 * links cannot claim one identity.
 */
import {
  MATCH_FIELDS,
  identityKey,
  matchKey,
  profileMatchValue,
  type Account,
  type AccountProfile,
  type AccountStore,
  type LinkResult,
  type MatchField,
  type MemberCheckSource,
  type RenameResult,
  type RetireResult,
  type WeComIdentity,
} from '../../model/index.js';
import type { LowdbFile } from './database.js';

export class LowdbAccountStore implements AccountStore {
  private readonly byField = new Map<MatchField, Map<string, Set<string>>>(MATCH_FIELDS.map((field) => [field, new Map()]));

  constructor(private readonly file: LowdbFile) {
    for (const account of Object.values(file.data.accounts)) {
      if (account.retiredAt === undefined) this.indexProfile(account.id, account.profile);
    }
  }

  async findById(id: string): Promise<Account | undefined> {
    return this.file.data.accounts[id];
  }

  async findByIdentity(corpId: string, userid: string): Promise<Account | undefined> {
    const id = this.file.data.identities[identityKey(corpId, userid)];
    return id === undefined ? undefined : this.file.data.accounts[id];
  }

  async createWithIdentity(account: Account): Promise<{ account: Account; created: boolean }> {
    const { accounts, identities } = this.file.data;
    const sameId = accounts[account.id];
    if (sameId) return { account: sameId, created: false };
    for (const identity of account.identities) {
      const existing = identities[identityKey(identity.corpId, identity.userid)];
      if (existing !== undefined && accounts[existing]) return { account: accounts[existing], created: false };
    }
    this.file.set(['accounts', account.id], account);
    for (const identity of account.identities) this.file.set(['identities', identityKey(identity.corpId, identity.userid)], account.id);
    this.indexProfile(account.id, account.profile);
    await this.file.persist();
    return { account, created: true };
  }

  async updateProfile(id: string, profile: AccountProfile, updatedAt: number): Promise<Account | undefined> {
    const account = this.file.data.accounts[id];
    if (!account) return undefined;
    this.unindexProfile(id, account.profile);
    account.profile = profile;
    account.updatedAt = updatedAt;
    this.file.set(['accounts', id], account);
    if (account.retiredAt === undefined) this.indexProfile(id, profile);
    await this.file.persist();
    return account;
  }

  async list(): Promise<Account[]> {
    return Object.values(this.file.data.accounts).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async findByMatchField(field: MatchField, value: string): Promise<Account[]> {
    const key = matchKey(field, value);
    if (key === undefined) return [];
    const ids = this.byField.get(field)?.get(key) ?? new Set<string>();
    return [...ids].flatMap((id) => this.file.data.accounts[id] ?? []);
  }

  async linkIdentity(accountId: string, identity: WeComIdentity): Promise<LinkResult> {
    const account = this.file.data.accounts[accountId];
    if (!account) return { status: 'no_account' };
    const key = identityKey(identity.corpId, identity.userid);
    const owner = this.file.data.identities[key];
    if (owner === accountId) return { status: 'already_linked', account };
    if (owner !== undefined && this.file.data.accounts[owner]) return { status: 'conflict', otherAccountId: owner };
    account.identities.push({ ...identity, userid: identity.userid.toLowerCase() });
    this.file.set(['accounts', accountId], account);
    this.file.set(['identities', key], accountId);
    await this.file.persist();
    return { status: 'linked', account };
  }

  async unlinkIdentity(accountId: string, corpId: string, userid: string): Promise<boolean> {
    const account = this.file.data.accounts[accountId];
    const key = identityKey(corpId, userid);
    if (!account || this.file.data.identities[key] !== accountId) return false;
    account.identities = account.identities.filter((identity) => identityKey(identity.corpId, identity.userid) !== key);
    this.file.set(['accounts', accountId], account);
    this.file.delete(['identities', key]);
    await this.file.persist();
    return true;
  }

  async setDisabled(accountId: string, disabled: boolean): Promise<Account | undefined> {
    const account = this.file.data.accounts[accountId];
    if (!account) return undefined;
    account.disabled = disabled;
    this.file.set(['accounts', accountId], account);
    await this.file.persist();
    return account;
  }

  async retireIdentity(accountId: string, corpId: string, userid: string, retiredAt: number): Promise<RetireResult> {
    const account = this.file.data.accounts[accountId];
    const key = identityKey(corpId, userid);
    if (!account || this.file.data.identities[key] !== accountId) return { status: 'not_linked' };
    account.identities = account.identities.filter((identity) => identityKey(identity.corpId, identity.userid) !== key);
    this.file.delete(['identities', key]);
    if (account.identities.length === 0) {
      account.disabled = true;
      account.retiredAt = retiredAt;
      this.unindexProfile(accountId, account.profile);
    }
    this.file.set(['accounts', accountId], account);
    await this.file.persist();
    return { status: 'retired', account, remaining: account.identities.length };
  }

  async renameIdentity(corpId: string, fromUserid: string, toUserid: string): Promise<RenameResult> {
    const from = identityKey(corpId, fromUserid);
    const to = identityKey(corpId, toUserid);
    const accountId = this.file.data.identities[from];
    const account = accountId === undefined ? undefined : this.file.data.accounts[accountId];
    if (!account) return { status: 'not_linked' };
    if (from === to) return { status: 'renamed', account };
    const owner = this.file.data.identities[to];
    if (owner !== undefined && this.file.data.accounts[owner]) return { status: 'conflict', otherAccountId: owner };
    for (const identity of account.identities) {
      if (identityKey(identity.corpId, identity.userid) === from) identity.userid = toUserid.toLowerCase();
    }
    this.file.delete(['identities', from]);
    this.file.set(['identities', to], account.id);
    this.file.set(['accounts', account.id], account);
    await this.file.persist();
    return { status: 'renamed', account };
  }

  async markChecked(corpId: string, userid: string, checkedAt: number, via: MemberCheckSource): Promise<void> {
    const key = identityKey(corpId, userid);
    const accountId = this.file.data.identities[key];
    const account = accountId === undefined ? undefined : this.file.data.accounts[accountId];
    const identity = account?.identities.find((candidate) => identityKey(candidate.corpId, candidate.userid) === key);
    if (!account || !identity) return;
    identity.checkedAt = checkedAt;
    identity.checkedVia = via;
    this.file.set(['accounts', account.id], account);
    await this.file.persist();
  }

  private indexProfile(id: string, profile: AccountProfile): void {
    for (const field of MATCH_FIELDS) {
      const key = matchKey(field, profileMatchValue(profile, field));
      if (key === undefined) continue;
      const index = this.byField.get(field)!;
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  private unindexProfile(id: string, profile: AccountProfile): void {
    for (const field of MATCH_FIELDS) {
      const key = matchKey(field, profileMatchValue(profile, field));
      if (key === undefined) continue;
      const ids = this.byField.get(field)!.get(key);
      ids?.delete(id);
      if (ids && !ids.size) this.byField.get(field)!.delete(key);
    }
  }
}
