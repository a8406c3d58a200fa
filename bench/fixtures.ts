/**
 * The facts every bench process shares: the WeCom corp and apps the simulator hosts, the one OIDC
 * client both providers register, and what a sign-in asks for. One place each, so our server, the
 * bare provider and the load generator cannot drift apart.
 */

/** The corp the simulator hosts. Each simulator instance is one self-built app of it. */
export const CORP_ID = 'wwbench0123456789ab';

/** A self-built app: our server and the bare provider each get their own, as two real apps would. */
export interface BenchApp {
  agentId: string;
  secret: string;
}

export const APPS = {
  ours: { agentId: '1000002', secret: 'bench-secret-ours-0123456789abcdef' },
  bare: { agentId: '1000003', secret: 'bench-secret-bare-0123456789abcdef' },
} as const satisfies Record<string, BenchApp>;

/**
 * The relying party. Confidential (client_secret_basic) and using PKCE, first-party so that neither
 * provider shows a consent screen. Its redirect_uri is never requested: the load generator stops
 * at the redirect and reads the code from the Location header.
 */
export const CLIENT = {
  client_id: 'bench-rp',
  client_secret: 'bench-rp-secret-0123456789abcdef0123456789',
  redirect_uris: ['http://127.0.0.1:9/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  first_party: true,
};

export const REDIRECT_URI = CLIENT.redirect_uris[0]!;

/** What a relying party like Grafana asks for on an ordinary sign-in. */
export const SIGN_IN_SCOPE = 'openid profile email phone wecom';

/** The simulator's active demo member: the only kind of person who completes a sign-in. */
export const MEMBER = 'ZhangSan';

/** The connection identifier of our server's single WeCom connection. */
export const CONNECTION = 'wecom';

/** The path under which the simulator process serves one named instance. */
export function simulatorPath(instance: string): string {
  return `/sim-${instance}`;
}

/** The bench-only route of the simulator process that reports every instance's API call counters. */
export const CALLS_PATH = '/bench/calls';

/** What one simulator instance needs to know, passed from the bench to the simulator process. */
export interface SimulatorInstance {
  name: string;
  /** host:port of the server that instance's app calls back to (WeCom's 授权回调域). */
  trustedDomain: string;
  app: BenchApp;
}
