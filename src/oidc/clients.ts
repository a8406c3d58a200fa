/**
 * Start-up validation of the configured clients. oidc-provider validates static clients lazily
 * (at their first request); we run the same validation for every client before listening, so a
 * bad redirect URI stops start-up with a message naming the client instead of failing a user later.
 */
import type Provider from 'oidc-provider';
import type { ClientConfig } from '../config/schema.js';

export class ClientConfigError extends Error {
  constructor(
    readonly clientId: string,
    readonly problem: string,
  ) {
    super(`client "${clientId}": ${problem}`);
    this.name = 'ClientConfigError';
  }
}

export async function validateClients(provider: Provider, clients: readonly ClientConfig[]): Promise<void> {
  for (const metadata of clients) {
    try {
      await provider.Client.validate(metadata as Parameters<Provider['Client']['validate']>[0]);
    } catch (error) {
      const description = (error as { error_description?: string }).error_description;
      throw new ClientConfigError(metadata.client_id, description ?? (error as Error).message);
    }
  }
}
