/**
 * The oidc-provider instance: everything OIDC (discovery, JWKS, authorization, token, userinfo,
 * refresh, revocation, introspection, logout, prompt/max_age/id_token_hint/claims handling) is
 * oidc-provider's; this file only configures it. Sign-in happens in our /interaction routes.
 */
import { LANGS, type Storage } from '../model/index.js';
import Provider, { type Configuration, type ErrorOut, type KoaContextWithOIDC } from 'oidc-provider';
import type { MemberLifecycle } from '../accounts/lifecycle.js';
import type { AccountService } from '../accounts/service.js';
import type { ClientConfig } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import { createAdapterFactory } from './adapter.js';
import { SUPPORTED_SCOPES, accountClaims, claimsForUse, scopeClaims, type ClaimsPolicy } from './claims.js';
import { extraClientMetadata, idTokenClaims } from './client-metadata.js';
import { connectionParam } from './connection-param.js';
import { outboundFetch } from './outbound-fetch.js';
import { introspectionAllowed, revocationAllowed } from './token-policies.js';
import { TTL } from './ttl.js';
import { loadGrant } from './grants.js';
import type { SigningJwk } from './keys.js';

export { TTL };

/** The pages oidc-provider shows people (its protocol errors and logout), drawn by the web room. */
export interface ProviderPages {
  error(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error): void;
  logout(ctx: KoaContextWithOIDC, form: string): void;
  logoutSuccess(ctx: KoaContextWithOIDC): void;
}

export interface ProviderOptions {
  issuer: string;
  basePath: string;
  clients: ClientConfig[];
  /** Current keys first: oidc-provider signs with the first key of each algorithm. */
  signingKeys: { keys: SigningJwk[] };
  cookieKeys: string[];
  storage: Storage;
  accounts: AccountService;
  pages: ProviderPages;
  trustProxy: boolean;
  /** Identifiers of the configured connections, for client metadata and the `connection` parameter. */
  connectionIds: readonly string[];
  /** The groups claim name and the connections' e-mail fallbacks. */
  claims: ClaimsPolicy;
  /** Re-checks members with WeCom before a refresh (accounts/lifecycle.ts). */
  lifecycle?: Pick<MemberLifecycle, 'beforeRefresh'>;
  log: Logger;
}

export function createProvider(options: ProviderOptions): Provider {
  const configuration: Configuration = {
    adapter: createAdapterFactory(options.storage.models),
    clients: options.clients,
    jwks: options.signingKeys,
    cookies: { keys: options.cookieKeys },
    scopes: SUPPORTED_SCOPES,
    claims: {
      // oidc-provider's defaults for claims not tied to a scope (this option replaces them).
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
      ...scopeClaims(options.claims.groupsClaim),
    },
    extraClientMetadata: extraClientMetadata(options.connectionIds),
    extraParams: { connection: connectionParam(options.connectionIds) },
    findAccount: async (ctx, sub) => {
      const account = await options.accounts.findById(sub);
      // A disabled account has no claims to give: its tokens stop working at userinfo and refresh.
      if (!account || account.disabled) return undefined;
      // A refresh is where a long-lived grant meets WeCom again: a member who has left is refused
      // here (invalid_grant), and offboarded everywhere.
      if (options.lifecycle && isRefreshGrant(ctx) && !(await options.lifecycle.beforeRefresh(account)).allow) return undefined;
      return {
        accountId: account.id,
        claims: (use, _scope, requested) => claimsForUse(accountClaims(account, options.claims), use, idTokenClaims(ctx.oidc?.client), requested),
      };
    },
    // Which claims an ID token carries is decided per client (client metadata `id_token_claims`,
    // applied in findAccount above), so oidc-provider's global switch must let scope claims through.
    conformIdTokenClaims: false,
    loadExistingGrant: (ctx) => loadGrant(ctx),
    // The languages `ui_locales` can choose for our pages (RFC 8414 / OIDC Discovery).
    discovery: { ui_locales_supported: [...LANGS] },
    interactions: {
      url: (_ctx, interaction) => `${options.basePath}/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      // Clients that register backchannel_logout_uri get a signed logout token when a session ends.
      backchannelLogout: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => options.pages.logout(ctx, form),
        postLogoutSuccessSource: (ctx) => options.pages.logoutSuccess(ctx),
      },
    },
    // The authorization code flow only: no implicit or hybrid tokens in the front channel.
    responseTypes: ['code'],
    // OIDC Core makes redirect_uri REQUIRED, even for a client with a single registered one.
    allowOmittingSingleRegisteredRedirectUri: false,
    // PKCE (S256 only, oidc-provider's sole method) is required of public clients and used by
    // any confidential client that sends it.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    ttl: { ...TTL },
    fetch: outboundFetch(options.clients) as Configuration['fetch'],
    renderError: (ctx, out, error) => options.pages.error(ctx, out, error),
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
    },
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy;
  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => {
    options.log.error('oidc-provider server error', { error: error.name, message: error.message });
  });
  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, error: Error, client: { clientId: string }) => {
    options.log.warn('back-channel logout could not be delivered', { client: client.clientId, error: error.message });
  });
  return provider;
}

function isRefreshGrant(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc?.route === 'token' && ctx.oidc.params?.grant_type === 'refresh_token';
}
