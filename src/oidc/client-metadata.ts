/**
 * Client metadata we add to the OIDC standard set, validated by oidc-provider with the rest.
 */
import { errors, type Configuration } from 'oidc-provider';

type ClientLike = { metadata(): Record<string, unknown> } | undefined;

export function extraClientMetadata(connectionIds: readonly string[]): NonNullable<Configuration['extraClientMetadata']> {
  const known = new Set(connectionIds);
  return {
    properties: ['first_party', 'connections'],
    validator(_ctx, key, value) {
      // `first_party: true` skips the consent screen: the administrator consented when configuring it.
      if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
        throw new errors.InvalidClientMetadata('first_party must be a boolean');
      }
      // `connections` restricts which WeCom connections this client's users may sign in with.
      if (key === 'connections' && value !== undefined) {
        if (!Array.isArray(value) || !value.length || !value.every((id) => typeof id === 'string' && known.has(id))) {
          throw new errors.InvalidClientMetadata('connections must be a non-empty array of configured connection identifiers');
        }
      }
    },
  };
}

/** Whether a client was configured as first-party, i.e. its users are never shown a consent screen. */
export function isFirstParty(client: ClientLike): boolean {
  return client?.metadata().first_party === true;
}

/** The connection identifiers a client offers: its `connections` metadata, or every connection. */
export function offeredConnections(client: ClientLike, all: readonly string[]): string[] {
  const restricted = client?.metadata().connections;
  return Array.isArray(restricted) ? all.filter((id) => restricted.includes(id)) : [...all];
}
