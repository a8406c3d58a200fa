/**
 * The one error page of the sign-in: what happened in plain words, the fix for the administrator
 * where there is one, and the ways on — "try again" (a form posting to `retryUrl`: a new WeCom
 * login, or the choice page, in the same sign-in attempt) and "back to the app" (ends the attempt
 * with access_denied, so the app hears of it).
 */
import type { Context } from 'koa';
import { translator, type MessageKey, type Translate } from '../i18n/index.js';
import { interactionPaths, pageLang, type InteractionDeps, type InteractionDetails } from './context.js';
import { failurePage, type FailurePage } from './failures.js';
import type { LoginFailure } from './wecom-login.js';

export type ErrorCause =
  | LoginFailure
  | { kind: 'cancelled' }
  | { kind: 'problem'; key: MessageKey; status: number };

export interface ErrorLinks {
  /** "Try again": a form posting here (a new WeCom login, or the choice page). */
  retry?: string;
  /** "Scan a QR code instead", offered when the failed login ran inside the WeCom client. */
  qr?: string;
}

export function sendErrorPage(
  deps: Pick<InteractionDeps, 'pages' | 'basePath' | 'qrLoginBase' | 'oauthBase'>,
  ctx: Context,
  details: InteractionDetails | undefined,
  cause: ErrorCause,
  links: ErrorLinks = {},
): void {
  const langFields = pageLang(ctx, details, deps.basePath);
  const { lang } = langFields;
  const t = translator(lang);
  const page = cause.kind === 'problem' ? problemPage(cause, t) : failurePage(cause, t, lang);
  const paths = details ? interactionPaths(deps.basePath, details.uid) : undefined;
  deps.pages.send(
    ctx,
    'error',
    {
      ...langFields,
      popup: details?.params.display === 'popup',
      title: t(page.heading),
      heading: t(page.heading),
      message: page.message,
      adminMessage: page.adminMessage,
      code: page.code,
      retryUrl: paths ? links.retry : undefined,
      qrUrl: paths ? links.qr : undefined,
      abortUrl: paths?.abort,
    },
    {
      status: page.status,
      // "Try again" ends at WeCom's login page, "back to the app" at the app's redirect_uri.
      formTargets: details ? [deps.qrLoginBase, deps.oauthBase, String(details.params.redirect_uri ?? '')] : [],
    },
  );
}

function problemPage(cause: { key: MessageKey; status: number }, t: Translate): FailurePage {
  return { status: cause.status, heading: 'error.title', message: t(cause.key) };
}
