/**
 * Which grant an authorization request runs under. For a first-party client the administrator
 * consented on the users' behalf when configuring it, so whatever it asks for is granted here and
 * the consent prompt never comes up (not even for prompt=none, where a consent screen would be an
 * error). Other clients get the grant the person already gave, if any.
 */
import type { Grant, KoaContextWithOIDC } from 'oidc-provider';
import { isFirstParty } from './client-metadata.js';

export async function loadGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const client = oidc.client!;
  const session = oidc.session!;
  const grantId = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (!isFirstParty(client)) return existing;

  const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
  const scopes = [...oidc.requestParamScopes].filter((scope) => !grant.getOIDCScope().split(' ').includes(scope));
  const claims = [...oidc.requestParamClaims].filter((claim) => !grant.getOIDCClaims().includes(claim));
  if (existing && !scopes.length && !claims.length) return existing;
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}
