/**
 * The login page. On a PC browser WeCom's QR panel of the first offered connection is the page's
 * main content (the others are buttons below it); its button stays too, as the way in when the
 * panel cannot load (login-panel.js then removes the panel).
 */
import { localize, type Lang } from '../../model/index.js';
import { panelConfig, type Connection } from '../../wecom/index.js';
import { translator } from '../messages/index.js';
import type { Attempt } from './attempt.js';
import type { InteractionDeps } from './context.js';
import { callbackUrl, loginMethodOf } from './wecom-redirect.js';

export async function showLogin(deps: InteractionDeps, attempt: Attempt, clientName: (lang: Lang) => string, offered: Connection[]) {
  const langFields = attempt.pageLang();
  const { lang } = langFields;
  const t = translator(lang);
  const { paths, ctx } = attempt;
  const [first] = offered;
  const panel = deps.embeddedPanel && first && loginMethodOf(ctx, first) === 'qr' ? panelFor(deps, attempt, first) : undefined;
  deps.pages.send(
    ctx,
    'login',
    {
      ...langFields,
      popup: attempt.popup,
      title: t('login.title'),
      clientName: clientName(lang),
      connections: offered.map((connection) => ({
        displayName: localize(connection.displayName, lang),
        startUrl: paths.start(connection.identifier),
        qrUrl: loginMethodOf(ctx, connection) === 'in_client' ? paths.startQr(connection.identifier) : undefined,
      })),
      abortUrl: paths.abort,
      panel: panel && JSON.stringify(panel),
      panelOrigin: deps.panelOrigin,
      wide: panel !== undefined && !attempt.popup,
    },
    {
      formTargets: [deps.qrLoginBase, deps.oauthBase, attempt.redirectUri],
      ...(panel ? { scripts: ['wecom-jssdk.js', 'login-panel.js'], frameSources: [deps.panelOrigin] } : {}),
    },
  );
}

/**
 * The embedded QR panel's configuration for `connection`. Its state is derived from the attempt
 * (see login-state.ts), so drawing the page stores nothing; the panel's scan comes back to the same
 * callback as the full-page login and is checked there.
 */
function panelFor(deps: InteractionDeps, attempt: Attempt, connection: Connection) {
  return panelConfig(connection, {
    redirectUri: callbackUrl(deps, attempt.details, connection),
    state: deps.panelStates.of({ interactionUid: attempt.uid, connection: connection.identifier }),
    lang: attempt.lang(),
    popup: attempt.popup,
  });
}
