/**
 * A phone's own browser (outside WeCom) cannot scan the QR code that WeCom's login page would show
 * on its screen. Instead of that dead end it gets a page that says how to go on: open the app in
 * WeCom (where sign-in is silent) or on a PC, with the app's address to copy. That address is the
 * app's `client_uri`, else the origin of its redirect URI: the app's own page, where a sign-in
 * starts afresh (this attempt's URL would not work in another browser).
 */
import type Provider from 'oidc-provider';
import type { Lang } from '../../model/index.js';
import type { Connection } from '../../wecom/index.js';
import { translator } from '../messages/index.js';
import type { Attempt } from './attempt.js';
import type { InteractionDeps } from './context.js';

type Client = Awaited<ReturnType<Provider['Client']['find']>>;

export function showPhonePage(
  deps: InteractionDeps,
  attempt: Attempt,
  client: Client,
  clientName: (lang: Lang) => string,
  offered: Connection[],
): void {
  const langFields = attempt.pageLang();
  const t = translator(langFields.lang);
  const { paths } = attempt;
  deps.pages.send(
    attempt.ctx,
    'phone',
    {
      ...langFields,
      title: t('phone.title'),
      clientName: clientName(langFields.lang),
      appLink: appAddress(client, attempt.redirectUri),
      // "Show the QR code anyway": the usual login page (someone may have a second phone at hand).
      qrUrl: offered.length ? `${paths.root}?via=qr` : undefined,
      abortUrl: paths.abort,
    },
    { scripts: ['copy-link.js'], formTargets: [attempt.redirectUri] },
  );
}

function appAddress(client: Client, redirectUri: string): string | undefined {
  const clientUri = client?.metadata().client_uri;
  if (typeof clientUri === 'string' && URL.canParse(clientUri)) return clientUri;
  return URL.canParse(redirectUri) ? `${new URL(redirectUri).origin}/` : undefined;
}
