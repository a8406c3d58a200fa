/**
 * Ends everything an account holds at once (accounts/lifecycle.ts's AccessRevoker): its sessions,
 * grants, authorization codes, access and refresh tokens; then sends back-channel logout, signed
 * by oidc-provider (Client#backchannelLogout), to every client that registered a
 * `backchannel_logout_uri` and had a session, so apps end their own sessions too.
 */
import type Provider from 'oidc-provider';
import type { AccessRevoker } from '../accounts/lifecycle.js';
import type { Logger } from '../observability/log.js';
import type { ModelPayload, ModelStore } from '../model/index.js';

interface SessionAuthorizations {
  authorizations?: Record<string, { sid?: string }>;
}

interface BackchannelClient {
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

export class AccessRevocation implements AccessRevoker {
  /**
   * @param provider the running provider (a key rotation replaces it), or undefined where none runs
   *   (the admin CLI working on shared storage directly): then tokens are revoked and no client is told.
   */
  constructor(
    private readonly models: ModelStore,
    private readonly provider: (() => Provider) | undefined,
    private readonly log: Logger,
  ) {}

  async endAccess(accountId: string): Promise<{ revoked: number; notified: number }> {
    // Read before revoking: the sessions name the clients (and their sids) to notify.
    const sessions = this.provider ? await this.models.sessionsOfAccount(accountId) : [];
    const revoked = await this.models.revokeByAccountId(accountId);
    const notified = this.provider ? await this.notify(this.provider(), accountId, sessions) : 0;
    return { revoked, notified };
  }

  private async notify(provider: Provider, accountId: string, sessions: ModelPayload[]): Promise<number> {
    const deliveries: Promise<boolean>[] = [];
    for (const session of sessions) {
      for (const [clientId, authorization] of Object.entries((session as SessionAuthorizations).authorizations ?? {})) {
        deliveries.push(this.notifyClient(provider, clientId, accountId, authorization.sid));
      }
    }
    return (await Promise.all(deliveries)).filter(Boolean).length;
  }

  private async notifyClient(provider: Provider, clientId: string, accountId: string, sid: string | undefined): Promise<boolean> {
    const client = await provider.Client.find(clientId);
    if (!client?.backchannelLogoutUri) return false;
    try {
      // oidc-provider's own logout-token issuance; @types/oidc-provider does not declare it.
      await (client as unknown as BackchannelClient).backchannelLogout(accountId, sid ?? '');
      return true;
    } catch (error) {
      this.log.warn('back-channel logout could not be delivered', { client: clientId, error: (error as Error).message });
      return false;
    }
  }
}
