/**
 * Pages that depend on nothing but the configuration: a landing page at `{basePath}/` that says what
 * the simulator is, and the generated pictures (avatars, personal QR codes) that user/get and
 * getuserdetail point to, so that a relying party showing them never reaches outside the machine.
 */
import type Router from '@koa/router';
import type { SimulatorDeps } from './deps.js';
import { pickLang, single } from './login-params.js';
import { sendHtml, sendSvg } from './respond.js';

export function registerStaticRoutes(router: Router, deps: SimulatorDeps): void {
  const { views, apps, csp, directory } = deps;

  router.get('/', (ctx) => {
    const lang = pickLang(single(ctx.query.lang), ctx.get('accept-language'));
    sendHtml(ctx, views.index({ lang, apps: apps.all, members: directory.list() }), csp);
  });

  router.get('/media/:kind/:file', (ctx) => {
    const { kind, file } = ctx.params;
    const member = file?.endsWith('.svg') ? directory.find(file.slice(0, -'.svg'.length)) : undefined;
    if (!member || (kind !== 'avatar' && kind !== 'qr')) {
      ctx.status = 404;
      return;
    }
    sendSvg(ctx, kind === 'avatar' ? views.avatarSvg(member) : views.qrSvg(`qr_code/${member.userid}`));
  });
}
