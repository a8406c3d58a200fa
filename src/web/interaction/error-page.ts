/**
 * The one error page of the sign-in: what happened in plain words, the fix for the administrator
 * where there is one, and the ways on — "try again" (a form posting to `retryUrl`: a new WeCom
 * login, or the choice page, in the same sign-in attempt) and "back to the app" (ends the attempt
 * with access_denied and a description of how it ended, see outcomes.ts, so the app hears of it).
 * A page outside any attempt we can still answer links to the app when we know it, else to our
 * landing page: never a dead end.
 */
import type { Context } from 'koa';
import { translator, type MessageKey, type Translate } from '../messages/index.js';
import { interactionPaths, pageLang, paramText, type InteractionDeps, type InteractionDetails } from './context.js';
import { failurePage, type FailurePage, type LoginFailure } from './failures.js';
import { outcomeOf } from './outcomes.js';

export type ErrorCause = LoginFailure | { kind: 'cancelled' } | { kind: 'problem'; key: MessageKey; status: number };

export interface ErrorLinks {
  /** "Try again": a form posting here (a new WeCom login, or the choice page). */
  retry?: string;
  /** "Scan a QR code instead", offered when the failed login ran inside the WeCom client. */
  qr?: string;
  /** "Back to the app" as a plain link, where there is no attempt left to end (see lost-attempt.ts). */
  app?: string;
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
  const page = cause.kind === 'problem' ? problemPage(cause, t) : failurePage(cause, t);
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
      askAdmin: page.askAdmin,
      code: page.code,
      retryUrl: paths ? links.retry : undefined,
      qrUrl: paths ? links.qr : undefined,
      abortUrl: paths && `${paths.abort}?outcome=${outcomeOf(cause)}`,
      appUrl: paths ? undefined : links.app,
      homeUrl: paths || links.app ? undefined : deps.pages.homePath,
    },
    {
      status: page.status,
      // "Try again" ends at WeCom's login page, "back to the app" at the app's redirect_uri.
      formTargets: details ? [deps.qrLoginBase, deps.oauthBase, paramText(details.params.redirect_uri)] : [],
    },
  );
}

function problemPage(cause: { key: MessageKey; status: number }, t: Translate): FailurePage {
  return { status: cause.status, heading: 'error.title', message: t(cause.key) };
}
