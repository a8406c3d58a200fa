/**
 * Lifetimes of what the provider issues. In a module of its own so the admin CLI can use them
 * without loading oidc-provider.
 */
/** Token and artefact lifetimes, in seconds. */
export const TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Session: 14 * 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
  /** How long a person has to finish signing in (scan, consent); the WeCom state expires with it. */
  Interaction: 30 * 60,
} as const;
