/**
 * oidc-provider's outgoing requests (back-channel logout, a client's jwks_uri). It refuses, by
 * default, to connect to loopback and private addresses (SSRF protection). Our clients are
 * configured by the administrator, never registered dynamically, and in a company the apps that
 * want back-channel logout usually live on the private network; so requests to the origins an
 * administrator configured for a client are let through, and everything else keeps the protection.
 */
import type { ClientConfig } from '../config/schema.js';

const OUTBOUND_CLIENT_URLS = ['backchannel_logout_uri', 'jwks_uri'] as const;

export function outboundFetch(clients: readonly ClientConfig[]) {
  const trusted = new Set(
    clients.flatMap((client) =>
      OUTBOUND_CLIENT_URLS.map((key) => client[key])
        .filter((url): url is string => typeof url === 'string' && URL.canParse(url))
        .map((url) => new URL(url).origin),
    ),
  );
  return (url: URL | string, options: Omit<RequestInit, 'dispatcher'> & { dispatcher?: unknown }): Promise<Response> => {
    if (trusted.has(new URL(url).origin)) {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, options as RequestInit);
  };
}
