/**
 * The server API under `{basePath}/cgi-bin/`, answering as qyapi.weixin.qq.com does: always HTTP 200,
 * JSON with `errcode`/`errmsg`, the caller's IP in error texts. Checks run in WeCom's order: injected
 * fault, then access_token (41001 missing, 40014 unknown, 42001 expired), then the API's own.
 */
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { SimulatorApp } from '../config/schema.js';
import { ACCESS_TOKEN_TTL_SECONDS, type SimulatedApi } from './constants.js';
import type { SimulatorDeps } from './deps.js';
import { type ApiOutcome, errorBody, fail, ok } from './errors.js';
import type { TransportFault } from './faults.js';
import { single } from './login-params.js';
import { departmentFields, mediaUrls, userDetailFields, userGetFields } from './profiles.js';
import { callerIp, sendApi } from './respond.js';

const BAD_JSON = 'wecomSimulatorBadJson';

/** How long a `hang` holds the request before dropping it (the client gives up well before). */
const HANG_MS = 30_000;

async function sendTransportFault(ctx: Context, fault: TransportFault): Promise<void> {
  switch (fault) {
    case 'http_502':
      ctx.status = 502;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = '<html><body>502 Bad Gateway</body></html>';
      return;
    case 'malformed':
      ctx.status = 200;
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = '{"errcode":0,"errmsg":"ok","acc';
      return;
    case 'reset':
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    case 'hang': {
      ctx.respond = false;
      const socket = ctx.req.socket;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HANG_MS);
        timer.unref();
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket.destroy();
      return;
    }
  }
}

/** getuserdetail reads JSON whatever the Content-Type says, as WeCom does; bad JSON is errcode 47001. */
const jsonBody = bodyParser({
  enableTypes: ['json'],
  detectJSON: () => true,
  jsonLimit: '64kb',
  onError: (_error, ctx) => {
    ctx.state[BAD_JSON] = true;
  },
});

type ApiHandler = (ctx: Context) => ApiOutcome;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function registerApiRoutes(router: Router, deps: SimulatorDeps): void {
  const { apps, clock, credentials, directory, faults, log, basePath } = deps;

  /** Counts the call, applies an injected fault first, then renders the outcome WeCom-style. */
  const api = (name: SimulatedApi, handler: ApiHandler) => async (ctx: Context) => {
    faults.count(name);
    const injected = faults.take(name);
    if (typeof injected === 'string') {
      log.debug('simulated transport fault', { api: name, fault: injected });
      return sendTransportFault(ctx, injected);
    }
    const outcome = injected === undefined ? handler(ctx) : fail(injected);
    const ip = callerIp(ctx);
    log.debug('simulated WeCom API call', { api: name, errcode: outcome.ok ? 0 : outcome.errcode, ip });
    sendApi(ctx, outcome.ok ? outcome.body : errorBody(outcome.errcode, { callerIp: ip, nowMs: clock.now(), subject: outcome.subject }));
  };

  const withToken =
    (handler: (ctx: Context, app: SimulatorApp) => ApiOutcome): ApiHandler =>
    (ctx) => {
      const token = single(ctx.query.access_token);
      if (!token) return fail(41001);
      const check = credentials.checkAccessToken(token);
      if (!check.ok) return fail(check.errcode);
      const app = apps.find(check.app.corpId, check.app.agentId);
      return app ? handler(ctx, app) : fail(40014);
    };

  // Koa 3's ctx.origin is the Origin request header; the server's own origin is built from protocol and host.
  const media = (ctx: Context) => mediaUrls(`${ctx.protocol}://${ctx.host}`, basePath);

  router.get(
    '/cgi-bin/gettoken',
    api('gettoken', (ctx) => {
      const corpId = single(ctx.query.corpid);
      const secret = single(ctx.query.corpsecret);
      // WeCom checks the secret's presence before the corpid's.
      if (!secret) return fail(41004);
      if (!corpId) return fail(41002);
      if (!apps.hasCorp(corpId)) return fail(40013);
      const app = apps.findBySecret(corpId, secret);
      if (!app) return fail(40001);
      if (app.trustedIps && !app.trustedIps.includes(callerIp(ctx))) return fail(60020);
      const accessToken = credentials.mintAccessToken({ corpId: app.corpId, agentId: app.agentId });
      return ok({ access_token: accessToken, expires_in: ACCESS_TOKEN_TTL_SECONDS });
    }),
  );

  router.get(
    '/cgi-bin/auth/getuserinfo',
    api(
      'getuserinfo',
      withToken((ctx, app) => {
        const code = single(ctx.query.code);
        if (!code) return fail(41008);
        const redemption = credentials.redeemCode(code, { corpId: app.corpId, agentId: app.agentId });
        if (!redemption.ok) return fail(redemption.errcode);
        const { identity, withUserTicket } = redemption.grant;
        if (identity.kind === 'wechat') return ok({ openid: identity.openid });
        // WeCom returns a user_ticket only to members inside the app's visible scope (91023).
        const member = directory.find(identity.userid);
        const ticketAllowed = withUserTicket && member !== undefined && member.visible && !member.deleted;
        const userTicket = ticketAllowed
          ? credentials.issueUserTicket({ corpId: app.corpId, agentId: app.agentId, userid: identity.userid })
          : undefined;
        return ok({ userid: identity.userid, ...(userTicket ? { user_ticket: userTicket } : {}) });
      }),
    ),
  );

  router.get(
    '/cgi-bin/user/get',
    api(
      'user/get',
      withToken((ctx, app) => {
        const userid = single(ctx.query.userid);
        if (!userid) return fail(41009);
        const member = directory.find(userid);
        if (!member || member.deleted) return fail(60111, userid);
        if (!member.visible) return fail(60011);
        return ok(userGetFields(member, { legacyContactFields: app.legacyContactFields, media: media(ctx) }));
      }),
    ),
  );

  router.post(
    '/cgi-bin/auth/getuserdetail',
    jsonBody,
    api(
      'getuserdetail',
      withToken((ctx, app) => {
        if (ctx.state[BAD_JSON]) return fail(47001);
        const body: unknown = ctx.request.body;
        const ticket = isRecord(body) && typeof body.user_ticket === 'string' ? body.user_ticket : '';
        if (!ticket) return fail(84090);
        const check = credentials.checkUserTicket(ticket, { corpId: app.corpId, agentId: app.agentId });
        if (!check.ok) return fail(check.errcode);
        const member = directory.find(check.grant.userid);
        if (!member || member.deleted) return fail(60111, check.grant.userid);
        if (!member.visible) return fail(60011);
        return ok(userDetailFields(member, media(ctx)));
      }),
    ),
  );

  router.get(
    '/cgi-bin/department/get',
    api(
      'department/get',
      withToken((ctx) => {
        const raw = single(ctx.query.id);
        const department = raw && /^\d{1,10}$/.test(raw) ? directory.department(Number(raw)) : undefined;
        if (!department) return fail(60123);
        if (!department.visible) return fail(60011);
        return ok(departmentFields(department));
      }),
    ),
  );
}
