/**
 * Consent: record what the person (or, for first-party clients, the administrator who configured
 * them) agreed to in a Grant, then hand the result back to oidc-provider. This is the grant logic
 * of oidc-provider's own example interaction, covering OIDC scopes, claims and resource scopes.
 */
import type Provider from 'oidc-provider';
import type { InteractionDetails } from './context.js';

export async function grantRequested(provider: Provider, details: InteractionDetails): Promise<string> {
  const { prompt, params, session } = details;
  const missing = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
  if (!grant) throw new Error('the interaction refers to a grant that no longer exists');

  if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}
