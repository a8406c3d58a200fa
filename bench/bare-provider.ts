/**
 * The baseline: oidc-provider v9 alone, configured as our server configures it (same signing
 * algorithms and key types, opaque tokens, TTLs, scopes, claims, PKCE rule, features, the same
 * client), with oidc-provider's own memory adapter, plus the few lines of "federated" sign-in a bare
 * integration writes: send the browser to WeCom's QR login with a state, and on the callback call
 * gettoken (kept in a variable until it expires), auth/getuserinfo and user/get with plain fetch,
 * then hand the result to oidc-provider (interactionResult). No accounts, no storage of ours, no pages, no department names.
 *
 * Configured by the environment: BENCH_BARE_PORT, BENCH_SIM_BASE (the simulator instance's base URL).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Context } from 'koa';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { SUPPORTED_SCOPES, scopeClaims } from '../src/oidc/claims.js';
import { generateKeyPairJwks } from '../src/oidc/keys.js';
import { TTL } from '../src/oidc/ttl.js';
import { APPS, CLIENT, CORP_ID } from './fixtures.js';

const port = Number(process.env.BENCH_BARE_PORT);
const simulatorBase = process.env.BENCH_SIM_BASE ?? '';
if (!Number.isInteger(port) || port <= 0 || !simulatorBase) throw new Error('set BENCH_BARE_PORT and BENCH_SIM_BASE');
const issuer = `http://127.0.0.1:${port}`;
const app = APPS.bare;

/** What user/get told us about each member, for findAccount: the bare integration's whole "account". */
const profiles = new Map<string, Record<string, unknown>>();

const configuration: Configuration = {
  clients: [CLIENT] as Configuration['clients'],
  jwks: { keys: await generateKeyPairJwks() },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: SUPPORTED_SCOPES,
  claims: { acr: null, sid: null, auth_time: null, iss: null, ...scopeClaims('groups') },
  extraClientMetadata: { properties: ['first_party'] },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, ...profiles.get(sub) }) }),
  // The usual recipe for a first-party client: grant whatever it asks for, never show consent.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = (oidc.result?.consent as { grantId?: string } | undefined)?.grantId ?? oidc.session!.grantIdFor(oidc.client!.clientId);
    const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    const grant = existing ?? new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
    const scopes = [...oidc.requestParamScopes].filter((scope) => !grant.getOIDCScope().split(' ').includes(scope));
    const claims = [...oidc.requestParamClaims].filter((claim) => !grant.getOIDCClaims().includes(claim));
    if (existing && !scopes.length && !claims.length) return existing;
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (claims.length) grant.addOIDCClaims(claims);
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    backchannelLogout: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
  ttl: { ...TTL },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'] },
};

const provider = new Provider(issuer, configuration);

/** The WeCom access token, fetched once per lifetime; concurrent callers share one fetch. */
let accessToken: { value: Promise<string>; expiresAt: number } | undefined;

function weComToken(): Promise<string> {
  if (accessToken && accessToken.expiresAt > Date.now()) return accessToken.value;
  const value = wecomGet('/cgi-bin/gettoken', { corpid: CORP_ID, corpsecret: app.secret }).then((answer) => {
    accessToken!.expiresAt = Date.now() + (Number(answer.expires_in) - 300) * 1000;
    return String(answer.access_token);
  });
  accessToken = { value, expiresAt: Number.POSITIVE_INFINITY };
  value.catch(() => (accessToken = undefined));
  return value;
}

async function wecomGet(path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${simulatorBase}${path}?${new URLSearchParams(query)}`);
  const answer = (await response.json()) as Record<string, unknown>;
  if (answer.errcode !== 0) throw new Error(`WeCom ${path} answered ${String(answer.errcode)}`);
  return answer;
}

type Ctx = Context;

/** The WeCom state for an interaction: bound to it (and, by its cookie, to this browser), unguessable. */
const stateKey = randomBytes(32);
const stateFor = (uid: string) => createHmac('sha256', stateKey).update(uid).digest('hex');

function startLogin(ctx: Ctx, uid: string): void {
  const login = new URL(`${simulatorBase}/wwlogin/sso/login`);
  login.search = new URLSearchParams({
    login_type: 'CorpApp',
    appid: CORP_ID,
    agentid: app.agentId,
    redirect_uri: `${issuer}/interaction/${uid}/callback`,
    state: stateFor(uid),
    lang: 'zh',
  }).toString();
  ctx.status = 303;
  ctx.redirect(login.href);
}

/** prompt=consent (asked for with offline_access): the client is first-party, so granted at once. */
async function grantConsent(details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<string> {
  const { prompt, params, session, grantId } = details;
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return grant.save();
}

async function finish(ctx: Ctx, result: Parameters<Provider['interactionResult']>[2], merge: boolean): Promise<void> {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)(\/callback)?$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (!match[2]) {
    if (details.prompt.name === 'login') return startLogin(ctx, details.uid);
    return finish(ctx, { consent: { grantId: await grantConsent(details) } }, true);
  }
  const { code, state } = ctx.query;
  if (typeof code !== 'string' || state !== stateFor(details.uid)) {
    ctx.status = 400;
    ctx.body = 'bad callback';
    return;
  }
  const token = await weComToken();
  const who = await wecomGet('/cgi-bin/auth/getuserinfo', { access_token: token, code });
  const userid = String(who.userid);
  const member = await wecomGet('/cgi-bin/user/get', { access_token: token, userid });
  if (member.status !== 1) {
    ctx.status = 403;
    ctx.body = 'member not active';
    return;
  }
  profiles.set(userid, {
    name: member.name,
    preferred_username: userid,
    wecom_corpid: CORP_ID,
    wecom_userid: userid,
    department: member.department,
    main_department: member.main_department,
    position: member.position,
  });
  return finish(ctx, { login: { accountId: userid, amr: ['wecom_qr'], remember: true } }, false);
});

provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) => process.stderr.write(`server_error: ${error.message}\n`));

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- koa's callback() answers its own errors (ctx.onerror); its promise never rejects
const server = createServer(provider.callback());
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`bare oidc-provider listening on ${issuer}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
