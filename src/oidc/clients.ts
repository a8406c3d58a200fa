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

/**
 * A client secret is all that stands between a guesser and a client's tokens (rate limits only slow
 * guessing down), so it must be long enough to be out of reach: 32 characters, as for cookie keys.
 */
export const MIN_CLIENT_SECRET_LENGTH = 32;

export async function validateClients(provider: Provider, clients: readonly ClientConfig[]): Promise<void> {
  for (const metadata of clients) {
    try {
      await provider.Client.validate(metadata);
    } catch (error) {
      const description = (error as { error_description?: string }).error_description;
      throw new ClientConfigError(metadata.client_id, description ?? (error as Error).message);
    }
    const secret = metadata.client_secret;
    if (typeof secret === 'string' && secret.length < MIN_CLIENT_SECRET_LENGTH) {
      throw new ClientConfigError(
        metadata.client_id,
        `client_secret is ${secret.length} characters; use at least ${MIN_CLIENT_SECRET_LENGTH} random characters ` +
          '(e.g. `openssl rand -base64 33`), or private_key_jwt so that no shared secret exists',
      );
    }
  }
}
