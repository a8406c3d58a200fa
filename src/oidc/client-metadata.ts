/**
 * Client metadata we add to the OIDC standard set, validated by oidc-provider with the rest.
 */
import { localize, type Lang, type LocalizedText } from '../model/index.js';
import { errors, type Configuration } from 'oidc-provider';

type ClientLike = { metadata(): Record<string, unknown> } | undefined;

export function extraClientMetadata(connectionIds: readonly string[]): NonNullable<Configuration['extraClientMetadata']> {
  const known = new Set(connectionIds);
  return {
    // `client_name_localized`: the per-language names of a `client_name` configured as an object
    // (config/schema.ts splits it; `client_name` itself must stay a string for oidc-provider).
    properties: ['first_party', 'connections', 'id_token_claims', 'client_name_localized'],
    validator(_ctx, key, value) {
      // `first_party: true` skips the consent screen: the administrator consented when configuring it.
      if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
        throw new errors.InvalidClientMetadata('first_party must be a boolean');
      }
      // `id_token_claims` chooses what the ID token carries besides sub and amr (see idTokenClaims).
      if (key === 'id_token_claims' && value !== undefined && !ID_TOKEN_CLAIMS.includes(value as IdTokenClaims)) {
        throw new errors.InvalidClientMetadata(`id_token_claims must be one of ${ID_TOKEN_CLAIMS.map((v) => `"${v}"`).join(', ')}`);
      }
      // `connections` restricts which WeCom connections this client's users may sign in with.
      if (key === 'connections' && value !== undefined) {
        if (!Array.isArray(value) || !value.length || !value.every((id) => typeof id === 'string' && known.has(id))) {
          throw new errors.InvalidClientMetadata('connections must be a non-empty array of configured connection identifiers');
        }
      }
      if (key === 'client_name_localized' && value !== undefined && (typeof value !== 'object' || value === null)) {
        throw new errors.InvalidClientMetadata('client_name_localized must be an object of names by language');
      }
    },
  };
}

/**
 * A client's metadata, snake_cased as configured. oidc-provider's `client.metadata()` rebuilds
 * that object on every call (a regular expression per property), and token, refresh and userinfo
 * requests ask several times; a client object never changes (a reload builds new ones), so it is
 * built once per client object.
 */
const metadataByClient = new WeakMap<object, Record<string, unknown>>();

function metadataOf(client: NonNullable<ClientLike>): Record<string, unknown> {
  let metadata = metadataByClient.get(client);
  if (!metadata) {
    metadata = client.metadata();
    metadataByClient.set(client, metadata);
  }
  return metadata;
}

export const ID_TOKEN_CLAIMS = ['minimal', 'scopes'] as const;
export type IdTokenClaims = (typeof ID_TOKEN_CLAIMS)[number];

/**
 * What a client's ID tokens carry. `minimal` (the default, OIDC Core 5.4): only what the `claims`
 * parameter asks for, the rest at userinfo. `scopes`: every claim of the granted scopes, for apps
 * that read the ID token only (kube-apiserver, Argo CD, Auth.js).
 */
export function idTokenClaims(client: ClientLike): IdTokenClaims {
  return client && metadataOf(client).id_token_claims === 'scopes' ? 'scopes' : 'minimal';
}

/** Whether a client was configured as first-party, i.e. its users are never shown a consent screen. */
export function isFirstParty(client: ClientLike): boolean {
  return client ? metadataOf(client).first_party === true : false;
}

/** The connection identifiers a client offers: its `connections` metadata, or every connection. */
export function offeredConnections(client: ClientLike, all: readonly string[]): string[] {
  const restricted = client && metadataOf(client).connections;
  return Array.isArray(restricted) ? all.filter((id) => restricted.includes(id)) : [...all];
}

/** The client's name as people see it, in the page's language when it was configured per language. */
export function clientDisplayName(
  client: (ClientLike & { clientId: string; clientName?: string }) | undefined,
  fallbackId: string,
  lang: Lang,
): string {
  const localized = (client && metadataOf(client).client_name_localized) as LocalizedText | undefined;
  return (localized && localize(localized, lang)) || client?.clientName || fallbackId;
}
