/**
 * Who may revoke or introspect which token. Revocation (RFC 7009): a client revokes only tokens
 * issued to it; a public client's attempt on another's token is silently ignored (it cannot prove
 * who it is), a confidential client's is refused. Introspection (RFC 7662): a confidential client
 * (an app's backend, or a resource server registered as a client) may introspect any token; a public
 * client only its own, since anyone can claim a public client's id.
 */
import { errors, type Configuration } from 'oidc-provider';

type Features = NonNullable<Configuration['features']>;
type RevocationPolicy = NonNullable<NonNullable<Features['revocation']>['allowedPolicy']>;
type IntrospectionPolicy = NonNullable<NonNullable<Features['introspection']>['allowedPolicy']>;

export const revocationAllowed: RevocationPolicy = async (_ctx, client, token) => {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
};

export const introspectionAllowed: IntrospectionPolicy = async (_ctx, client, token) =>
  client.clientAuthMethod !== 'none' || token.clientId === client.clientId;
