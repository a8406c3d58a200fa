/**
 * The directory admin page, standing in for WeCom's admin console (通讯录), and the same changes as a
 * JSON API: disable / enable, delete, move out of the visible scope and back, change the userid, add
 * a member (a deleted userid may be given to a new person). Each change is made in the live
 * directory, which reports it to the callback delivery.
 *
 * Cross-site requests change nothing: the page's forms carry a token that must equal a SameSite=Strict
 * cookie set with the page (double submit), and the JSON API takes only `application/json`, which a
 * cross-site form cannot send. Either refuses a request whose Origin or Sec-Fetch-Site says it came
 * from another site.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { formBody, formFields, type SimulatorDeps } from './deps.js';
import type { DemoMember, MemberStatus } from './directory.js';
import { COPY, type Copy } from './copy.js';
import { DirectoryError, type LiveDirectory, type MemberChange } from './live-directory.js';
import { type Lang, pickLang, single } from './login-params.js';
import { redirectTo, sendHtml } from './respond.js';
import { DIRECTORY_PATH, type DirectoryRow } from './views.js';

const CSRF_COOKIE = 'wwsim_csrf';
const CSRF_VALUE = /^[A-Za-z0-9_-]{32}$/;
const BAD_JSON = 'wecomSimulatorDirectoryBadJson';

/** The one-click changes, by the name used in URLs and forms. */
const MEMBER_ACTIONS = {
  disable: (directory: LiveDirectory, userid: string) => directory.disableMember(userid),
  enable: (directory: LiveDirectory, userid: string) => directory.enableMember(userid),
  delete: (directory: LiveDirectory, userid: string) => directory.deleteMember(userid),
  'move-out-of-scope': (directory: LiveDirectory, userid: string) => directory.moveOutOfScope(userid),
  'move-into-scope': (directory: LiveDirectory, userid: string) => directory.moveIntoScope(userid),
} as const;
type MemberAction = keyof typeof MEMBER_ACTIONS;
const isMemberAction = (name: string | undefined): name is MemberAction => name !== undefined && Object.hasOwn(MEMBER_ACTIONS, name);

const STATUS_OF_ERROR = { not_found: 404, invalid: 400, conflict: 409, unchanged: 409 } as const;

const jsonBody = bodyParser({
  enableTypes: ['json'],
  jsonLimit: '16kb',
  onError: (_error, ctx) => {
    ctx.state[BAD_JSON] = true;
  },
});

/** A request another site made the browser send: refused before anything changes. */
function crossSite(ctx: Context): boolean {
  const fetchSite = ctx.get('sec-fetch-site');
  if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') return true;
  const origin = ctx.get('origin');
  return origin !== '' && origin !== `${ctx.protocol}://${ctx.host}`;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function rowOf(member: DemoMember, t: Copy, actionPath: (action: MemberAction) => string): DirectoryRow {
  const actions: MemberAction[] = member.deleted
    ? []
    : [member.status === 1 ? 'disable' : 'enable', member.visible ? 'move-out-of-scope' : 'move-into-scope', 'delete'];
  const label = { disable: t.disable, enable: t.enable, delete: t.remove, 'move-out-of-scope': t.moveOut, 'move-into-scope': t.moveIn };
  return {
    name: member.name,
    userid: member.userid,
    status: member.deleted ? t.deleted : t.statusLabel(member.status),
    scope: member.deleted ? '—' : member.visible ? t.inScope : t.outOfScope,
    actions: actions.map((action) => ({ action: actionPath(action), label: label[action] })),
    canRename: !member.deleted,
  };
}

export function registerDirectoryRoutes(router: Router, deps: SimulatorDeps): void {
  const { directory, events, views, basePath, log } = deps;
  const pagePath = `${basePath}${DIRECTORY_PATH}`;
  const actionPath = (action: string) => `${pagePath}/${action}`;
  // Forms navigate only to the simulator itself, so this page can forbid every other form target.
  const csp = `${deps.csp}; form-action 'self'`;

  const csrfToken = (ctx: Context): string => {
    const existing = ctx.cookies.get(CSRF_COOKIE, { signed: false });
    if (existing && CSRF_VALUE.test(existing)) return existing;
    const token = randomBytes(24).toString('base64url');
    ctx.cookies.set(CSRF_COOKIE, token, { path: pagePath, sameSite: 'strict', httpOnly: true, signed: false, overwrite: true });
    return token;
  };

  const langOf = (ctx: Context, fields: Record<string, unknown> = {}): Lang =>
    pickLang(single(ctx.query.lang) ?? single(fields.lang), ctx.get('accept-language'));

  const showPage = (ctx: Context, lang: Lang, extra: { notice?: string; problem?: string; status?: number } = {}) => {
    const t = COPY[lang];
    const html = views.directory({
      lang,
      rows: directory.list().map((member) => rowOf(member, t, actionPath)),
      csrf: csrfToken(ctx),
      renameAction: actionPath('rename'),
      addAction: actionPath('add'),
      targets: events.targetUrls,
      deliveries: events
        .deliveries()
        .reverse()
        .slice(0, 20)
        .map((delivery) => ({
          connection: delivery.connection,
          changeType: delivery.changeType,
          userid: delivery.userid,
          outcome: delivery.outcome,
          attempts: delivery.attempts.map((attempt) => attempt.status ?? attempt.error ?? '?').join(', '),
        })),
      notice: extra.notice,
      problem: extra.problem,
    });
    sendHtml(ctx, html, csp, extra.status ?? 200);
  };

  /** Makes the change; a DirectoryError becomes its HTTP status and message, anything else propagates. */
  const change = (make: () => MemberChange): { ok: true; change: MemberChange } | { ok: false; status: number; error: DirectoryError } => {
    try {
      const made = make();
      log.info('simulator directory changed', { changeType: made.changeType, userid: made.userid, fields: Object.keys(made.fields) });
      return { ok: true, change: made };
    } catch (error) {
      if (error instanceof DirectoryError) return { ok: false, status: STATUS_OF_ERROR[error.code], error };
      throw error;
    }
  };

  // After a change the page says what was done: the sentence comes from a fixed table, the userid is escaped.
  router.get(DIRECTORY_PATH, (ctx) => {
    const lang = langOf(ctx);
    const done = single(ctx.query.notice);
    const notice = done ? COPY[lang].notice(done, single(ctx.query.userid) ?? '') : undefined;
    showPage(ctx, lang, { notice });
  });

  router.post(`${DIRECTORY_PATH}/:action`, formBody, (ctx) => {
    const fields = formFields(ctx);
    const lang = langOf(ctx, fields);
    const t = COPY[lang];
    const cookie = ctx.cookies.get(CSRF_COOKIE, { signed: false }) ?? '';
    const presented = single(fields.csrf) ?? '';
    if (crossSite(ctx) || !CSRF_VALUE.test(cookie) || !sameToken(cookie, presented)) {
      log.warn('simulator directory form refused: CSRF check failed');
      return showPage(ctx, lang, { problem: t.forbidden, status: 403 });
    }
    const action = ctx.params.action;
    const userid = single(fields.userid) ?? '';
    let result: ReturnType<typeof change>;
    if (isMemberAction(action)) result = change(() => MEMBER_ACTIONS[action](directory, userid));
    else if (action === 'rename') result = change(() => directory.renameMember(userid, (single(fields.newUserid) ?? '').trim()));
    else if (action === 'add') result = change(() => directory.addMember({ userid: userid.trim(), name: single(fields.name) ?? '' }));
    else {
      ctx.status = 404;
      return;
    }
    if (!result.ok) return showPage(ctx, lang, { problem: result.error.message, status: result.status });
    const shown = action === 'rename' ? String(result.change.fields.NewUserID) : result.change.userid;
    redirectTo(ctx, `${pagePath}?${new URLSearchParams({ lang, notice: action, userid: shown }).toString()}`, 303);
  });

  const api = `${DIRECTORY_PATH}/api/members`;

  /** The JSON API refuses what a browser could be made to send from another site. */
  const apiGuard = (ctx: Context): boolean => {
    if (crossSite(ctx)) {
      sendJson(ctx, 403, { error: 'cross_site', message: 'requests from another site are refused' });
      return false;
    }
    if (!ctx.is('application/json')) {
      sendJson(ctx, 415, { error: 'unsupported_media_type', message: 'send application/json' });
      return false;
    }
    if (ctx.state[BAD_JSON]) {
      sendJson(ctx, 400, { error: 'invalid', message: 'the body is not JSON' });
      return false;
    }
    return true;
  };

  const answer = (ctx: Context, result: ReturnType<typeof change>) => {
    if (!result.ok) return sendJson(ctx, result.status, { error: result.error.code, message: result.error.message });
    const { change: made } = result;
    const userid = typeof made.fields.NewUserID === 'string' ? made.fields.NewUserID : made.userid;
    sendJson(ctx, 200, {
      change: { changeType: made.changeType, userid: made.userid, fields: made.fields },
      member: directory.find(userid) ?? null,
      callbacks: events.recipientsOf(made),
    });
  };

  router.get(api, (ctx) => sendJson(ctx, 200, { members: directory.list(), callbackUrls: events.targetUrls }));

  router.post(api, jsonBody, (ctx) => {
    if (!apiGuard(ctx)) return;
    const body = record(ctx.request.body);
    answer(
      ctx,
      change(() =>
        directory.addMember({
          userid: typeof body.userid === 'string' ? body.userid : '',
          name: typeof body.name === 'string' ? body.name : '',
          department: Array.isArray(body.department) && body.department.every(Number.isInteger) ? (body.department as number[]) : undefined,
          position: typeof body.position === 'string' ? body.position : undefined,
          status: typeof body.status === 'number' ? (body.status as MemberStatus) : undefined,
          visible: typeof body.visible === 'boolean' ? body.visible : undefined,
        }),
      ),
    );
  });

  router.post(`${api}/:userid/:action`, jsonBody, (ctx) => {
    if (!apiGuard(ctx)) return;
    const { userid = '', action } = ctx.params;
    if (isMemberAction(action))
      return answer(
        ctx,
        change(() => MEMBER_ACTIONS[action](directory, userid)),
      );
    if (action === 'rename') {
      const body = record(ctx.request.body);
      return answer(
        ctx,
        change(() => directory.renameMember(userid, typeof body.newUserid === 'string' ? body.newUserid : '')),
      );
    }
    sendJson(ctx, 404, { error: 'unknown_action', message: `actions: ${[...Object.keys(MEMBER_ACTIONS), 'rename'].join(', ')}` });
  });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function sendJson(ctx: Context, status: number, body: Record<string, unknown>): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.status = status;
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = body;
}
