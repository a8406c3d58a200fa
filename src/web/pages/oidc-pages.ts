/**
 * oidc-provider's own pages (protocol errors shown to a person, logout confirmation, logout done),
 * rendered with our templates, language and security headers instead of its defaults.
 */
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { translator } from '../messages/index.js';
import type { Logger } from '../../observability/log.js';
import { langDecision } from './language.js';
import { clientDisplayName } from '../../oidc/client-metadata.js';
import type { ProviderPages } from '../../oidc/provider.js';
import type { PageRenderer } from './render.js';

/** The page's language fields: the app's ui_locales, else the person's choice, else the browser's. */
function langFieldsOf(ctx: KoaContextWithOIDC) {
  const { lang, byApp } = langDecision(ctx, ctx.oidc?.params?.ui_locales);
  return { lang, langByApp: byApp };
}

export function errorPage(pages: PageRenderer, log: Logger, ctx: KoaContextWithOIDC, out: ErrorOut, error: Error): void {
  const langFields = langFieldsOf(ctx);
  const t = translator(langFields.lang);
  if (out.error === 'server_error') log.error('oidc-provider rendered a server error', { error: error.name, message: error.message });
  // error and error_description come from oidc-provider's own error classes: protocol words,
  // never stack traces or secrets.
  pages.send(
    ctx,
    'error',
    {
      ...langFields,
      title: t('error.title'),
      heading: t('error.title'),
      message: `${t('error.oidc')} ${typeof out.error_description === 'string' ? out.error_description : ''}`.trim(),
      code: typeof out.error === 'string' ? out.error : undefined,
      // oidc-provider shows this page only when it cannot send the person back to the app.
      homeUrl: pages.homePath,
    },
    { status: ctx.status >= 400 ? ctx.status : 400 },
  );
}

export function logoutPage(pages: PageRenderer, ctx: KoaContextWithOIDC, form: string): void {
  const langFields = langFieldsOf(ctx);
  const t = translator(langFields.lang);
  const target = ctx.oidc?.params?.post_logout_redirect_uri;
  // `form` is oidc-provider's hidden form (action and CSRF token), inserted unescaped on purpose.
  pages.send(
    ctx,
    'logout',
    { ...langFields, title: t('logout.title'), host: ctx.host, form },
    { formTargets: typeof target === 'string' ? [target] : [] },
  );
}

export function logoutSuccessPage(pages: PageRenderer, ctx: KoaContextWithOIDC): void {
  const langFields = langFieldsOf(ctx);
  const t = translator(langFields.lang);
  const client = ctx.oidc?.client ? clientDisplayName(ctx.oidc.client, ctx.oidc.client.clientId, langFields.lang) : undefined;
  pages.send(ctx, 'message', {
    ...langFields,
    title: t('logout.title'),
    heading: t('logout.title'),
    message: client ? t('logout.done_client', { client }) : t('logout.done'),
    homeUrl: pages.homePath,
  });
}

/** The three pages as the provider's configuration takes them. */
export function providerPages(pages: PageRenderer, log: Logger): ProviderPages {
  return {
    error: (ctx, out, error) => errorPage(pages, log, ctx, out, error),
    logout: (ctx, form) => logoutPage(pages, ctx, form),
    logoutSuccess: (ctx) => logoutSuccessPage(pages, ctx),
  };
}
