/**
 * WeCom stays the source of truth after sign-in: what we do when a member is deleted, disabled,
 * moved out of the app's visible scope or renamed, whichever way we learn it (a contact-change
 * event, a refresh that re-checks a stale member, the reconcile sweep).
 *
 * - deleted (60111): the identity is retired. An account left without identities is disabled and
 *   marked retired, so a later member given the same userid is a new person with a new account.
 * - inactive (status ≠ 1) or out of scope (60011): access ends now, but the account stays as it is,
 *   so that the member signs in to the same account if WeCom lets them back.
 * - renamed: the identity follows the new userid; same account, same `sub`.
 * In the first two cases every session, grant and token of the account ends, with back-channel
 * logout to the clients that asked for it (the AccessRevoker's job).
 */
import type { ConnectionConfig } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import { isUnclaimedProvisioned, lastCheckedAt, type Account, type AccountStore, type MemberCheckSource } from '../model/index.js';
import { toMemberProfile, type ContactEvent, type MemberStanding, type WeComApp, type WeComMember } from '../wecom/index.js';
import { sameProfile, toAccountProfile } from './profile.js';
import { provisionedAccountId } from './service.js';

/** Ends everything an account holds: sessions, grants, tokens; tells clients through back-channel logout. */
export interface AccessRevoker {
  endAccess(accountId: string): Promise<{ revoked: number; notified: number }>;
}

/** A connection as the lifecycle needs it. */
export type LifecycleConnection = Pick<
  ConnectionConfig,
  'identifier' | 'corpId' | 'loginOnly' | 'revalidateAfterSeconds' | 'revalidateGraceSeconds'
> & { app: WeComApp };

export interface LifecycleDeps {
  accounts: AccountStore;
  revoker: AccessRevoker;
  /** user/get for one member, classified (wecom/api/member-standing.ts). */
  readStanding(app: WeComApp, userid: string): Promise<MemberStanding>;
  /** Department names for the groups claim. */
  groupNames(app: WeComApp, departmentIds: readonly number[]): Promise<string[]>;
  connection(identifier: string): LifecycleConnection | undefined;
  log: Logger;
  now?: () => number;
}

/** What one re-check concluded, for logs, the sweep's summary and the refresh decision. */
export type CheckVerdict = 'active' | 'disabled' | 'retired' | 'unknown' | 'not_linked';

export type RefreshDecision = { allow: true } | { allow: false; reason: 'member_gone' | 'wecom_unreachable_past_grace' };

export class MemberLifecycle {
  private readonly now: () => number;

  constructor(private readonly deps: LifecycleDeps) {
    this.now = deps.now ?? (() => Date.now());
  }

  /**
   * One contact-change event. Events are hints: apart from a deletion, the member is re-read with
   * user/get before anything changes, so duplicated or out-of-order deliveries converge on WeCom's
   * current answer and change nothing twice.
   */
  async onContactEvent(connection: LifecycleConnection, event: ContactEvent): Promise<void> {
    switch (event.kind) {
      case 'delete_user':
        await this.memberDeleted(connection, event.userid, 'event');
        return;
      case 'update_user':
        if (event.newUserid && event.newUserid.toLowerCase() !== event.userid.toLowerCase()) {
          await this.memberRenamed(connection, event.userid, event.newUserid);
        } else {
          await this.recheck(connection, event.userid, 'event');
        }
        return;
      case 'create_user':
        await this.memberCreated(connection, event);
        return;
      case 'other':
        this.deps.log.info('WeCom event acknowledged; nothing to do for it', {
          connection: connection.identifier,
          event: event.event,
          changeType: event.changeType,
        });
    }
  }

  /** The member was deleted in WeCom (a `delete_user` event needs no re-read: user/get would say 60111). */
  memberDeleted(connection: LifecycleConnection, userid: string, via: MemberCheckSource): Promise<CheckVerdict> {
    return this.apply(connection, userid, { standing: 'deleted' }, via);
  }

  /** Re-reads the member in WeCom and acts on the answer. */
  async recheck(connection: LifecycleConnection, userid: string, via: MemberCheckSource): Promise<CheckVerdict> {
    const standing = await this.deps.readStanding(connection.app, userid);
    return this.apply(connection, userid, standing, via);
  }

  /** WeCom renamed the member (`update_user` with `NewUserID`): the account follows, then is re-checked. */
  async memberRenamed(connection: LifecycleConnection, from: string, to: string): Promise<CheckVerdict> {
    const result = await this.deps.accounts.renameIdentity(connection.corpId, from, to);
    if (result.status === 'renamed') {
      this.deps.log.info('WeCom userid renamed; the account keeps it', { connection: connection.identifier, accountId: result.account.id, from, to });
    } else if (result.status === 'conflict') {
      this.deps.log.error('WeCom renamed a member to a userid another account holds; nothing changed', {
        connection: connection.identifier,
        from,
        to,
        otherAccountId: result.otherAccountId,
      });
    }
    return this.recheck(connection, to, 'event');
  }

  /**
   * A member was added in WeCom. On a login-only connection an account is provisioned for them, so
   * they can sign in on their first day; elsewhere their first sign-in creates it. The checks below
   * and the creation are not one transaction: two deliveries of the event at once (WeCom's retry
   * of a slow answer, on another replica) both pass the checks, and the account's id, derived from
   * the event, is what makes the second creation meet the first.
   */
  async memberCreated(connection: LifecycleConnection, event: { userid: string; createTime: number }): Promise<'provisioned' | 'exists' | 'ignored'> {
    if (!connection.loginOnly) return 'ignored';
    const { userid } = event;
    const { accounts } = this.deps;
    if (await accounts.findByIdentity(connection.corpId, userid)) return 'exists';
    const claimable = await accounts.findByMatchField('username', userid);
    if (claimable.some(isUnclaimedProvisioned)) return 'exists';
    const standing = await this.deps.readStanding(connection.app, userid);
    if (standing.standing !== 'active') return 'ignored';
    const nowSeconds = this.nowSeconds();
    const profile = toAccountProfile(
      connection.corpId,
      toMemberProfile(standing.member),
      undefined,
      await this.deps.groupNames(connection.app, standing.member.department),
    );
    const { account, created } = await accounts.createWithIdentity({
      id: provisionedAccountId(connection.app.secret, { corpId: connection.corpId, userid, createTime: event.createTime }),
      createdAt: nowSeconds,
      updatedAt: nowSeconds,
      disabled: false,
      provisioned: true,
      profile,
      identities: [],
    });
    if (!created) return 'exists';
    this.deps.log.info('account provisioned for a new WeCom member', { connection: connection.identifier, accountId: account.id });
    return 'provisioned';
  }

  /**
   * Before a refresh: re-checks each of the account's members whose last good look is older than
   * the connection's `revalidateAfterSeconds` (no WeCom call otherwise). A member who is gone is
   * offboarded and the refresh refused. When WeCom cannot answer, refreshes go on until
   * `revalidateGraceSeconds` past the last good look, then fail closed.
   */
  async beforeRefresh(account: Account): Promise<RefreshDecision> {
    const nowSeconds = this.nowSeconds();
    for (const identity of account.identities) {
      const connection = this.deps.connection(identity.connection);
      if (!connection) continue;
      const age = nowSeconds - lastCheckedAt(identity);
      if (age < connection.revalidateAfterSeconds) continue;
      const verdict = await this.recheck(connection, identity.userid, 'refresh');
      if (verdict === 'active' || verdict === 'not_linked') continue;
      if (verdict !== 'unknown') return { allow: false, reason: 'member_gone' };
      const withinGrace = age <= connection.revalidateGraceSeconds;
      this.deps.log[withinGrace ? 'warn' : 'error'](
        withinGrace
          ? 'WeCom could not re-check a member; refresh allowed within the grace period'
          : 'WeCom could not re-check a member past the grace period; refresh refused',
        {
          connection: connection.identifier,
          accountId: account.id,
          lastCheckedAt: lastCheckedAt(identity),
          graceSeconds: connection.revalidateGraceSeconds,
        },
      );
      if (!withinGrace) return { allow: false, reason: 'wecom_unreachable_past_grace' };
    }
    return { allow: true };
  }

  private async apply(connection: LifecycleConnection, userid: string, standing: MemberStanding, via: MemberCheckSource): Promise<CheckVerdict> {
    const { accounts, log } = this.deps;
    const account = await accounts.findByIdentity(connection.corpId, userid);
    if (!account) return standing.standing === 'unknown' ? 'unknown' : 'not_linked';
    switch (standing.standing) {
      case 'active':
        await this.refreshProfile(connection, account, standing.member, via);
        return 'active';
      case 'unknown':
        log.warn('WeCom could not say whether a member is still active', {
          connection: connection.identifier,
          accountId: account.id,
          via,
          api: standing.error.api,
          errcode: 'errcode' in standing.error ? standing.error.errcode : undefined,
        });
        return 'unknown';
      case 'deleted': {
        const retired = await accounts.retireIdentity(account.id, connection.corpId, userid, this.nowSeconds());
        if (retired.status === 'not_linked') return 'not_linked';
        await this.offboard(connection, account, userid, 'deleted', via, retired.remaining === 0);
        return 'retired';
      }
      case 'inactive':
      case 'out_of_scope':
        await this.offboard(connection, account, userid, standing.standing === 'inactive' ? `status_${standing.status}` : 'out_of_scope', via, false);
        return 'disabled';
    }
  }

  private async offboard(
    connection: LifecycleConnection,
    account: Account,
    userid: string,
    reason: 'deleted' | 'out_of_scope' | `status_${number}`,
    via: MemberCheckSource,
    accountRetired: boolean,
  ): Promise<void> {
    const { revoked, notified } = await this.deps.revoker.endAccess(account.id);
    this.deps.log.warn('member offboarded', {
      accountId: account.id,
      connection: connection.identifier,
      userid,
      reason,
      via,
      accountRetired,
      revoked,
      clientsNotified: notified,
    });
  }

  /** Still active: remember the good look, and take WeCom's current organisation fields. */
  private async refreshProfile(connection: LifecycleConnection, account: Account, member: WeComMember, via: MemberCheckSource): Promise<void> {
    const { accounts } = this.deps;
    await accounts.markChecked(connection.corpId, member.userid, this.nowSeconds(), via);
    const groups = await this.deps.groupNames(connection.app, member.department);
    const profile = toAccountProfile(connection.corpId, toMemberProfile(member), account.profile, groups);
    if (!sameProfile(profile, account.profile)) await accounts.updateProfile(account.id, profile, this.nowSeconds());
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
