/**
 * GET (and POST) /interaction/:uid — what oidc-provider needs from the person now: the login choice
 * (one button per WeCom connection the client offers; skipped when the app named one with
 * `connection=`, or inside the WeCom client with one connection), the bind choice (a verified member
 * waiting to be linked), or consent. First-party clients never see consent: it is granted here on
 * the administrator's behalf (normally it never even comes up for them, see oidc/grants.ts; this
 * covers an explicit prompt=consent). "Choose again" buttons on error pages are forms, so this
 * step answers POST too.
 */
import type { Lang } from '../../../model/index.js';
import { clientDisplayName, isFirstParty } from '../../../oidc/client-metadata.js';
import { isPhoneBrowserOutsideWeCom } from '../../../wecom/index.js';
import type { Step } from '../attempt.js';
import { showBind } from '../bind-page.js';
import { grantRequested } from '../consent.js';
import { showConsent } from '../consent-page.js';
import type { InteractionDeps } from '../context.js';
import { showLogin } from '../login-page.js';
import { connectionsOffered } from '../offered.js';
import { findPendingBinding } from '../pending-binding.js';
import { showPhonePage } from '../phone-page.js';
import { loginMethodOf, redirectToWeCom } from '../wecom-redirect.js';

export function showPrompt(deps: InteractionDeps): Step {
  return async function showPrompt(attempt) {
    const { details, ctx } = attempt;
    const client = await deps.provider.Client.find(attempt.clientId);
    const clientName = (lang: Lang) => clientDisplayName(client, attempt.clientId, lang);

    switch (details.prompt.name) {
      case 'login': {
        // Only a connection that asks the person (association `bind`) leaves a pending binding, so
        // without one the look (a storage round trip on every login page) is not made.
        const asksPerson = deps.connections.list().some((connection) => connection.association.mode === 'bind');
        const pending = asksPerson ? await findPendingBinding(deps.models, attempt.uid) : undefined;
        if (pending) return showBind(deps, attempt, pending);
        const offered = await connectionsOffered(deps, details);
        // A phone's own browser cannot scan the QR code on its screen: say how to go on instead
        // (unless the person asked for the QR code anyway).
        if (isPhoneBrowserOutsideWeCom(ctx.get('user-agent')) && ctx.query.via !== 'qr') {
          return showPhonePage(deps, attempt, client, clientName, offered);
        }
        // `connection=` was validated against the client's connections when the request arrived.
        const named = offered.find((connection) => connection.identifier === details.params.connection);
        if (named) return redirectToWeCom(deps, attempt, named);
        // Inside the WeCom client with one connection: sign in silently, no page, no QR. (Its error
        // pages, and the choice page when there are several, offer the QR code.)
        const [only] = offered;
        if (offered.length === 1 && only && loginMethodOf(ctx, only) === 'in_client') return redirectToWeCom(deps, attempt, only);
        return showLogin(deps, attempt, clientName, offered);
      }
      case 'consent':
        if (isFirstParty(client)) return attempt.finish({ consent: { grantId: await grantRequested(deps.provider, details) } }, true);
        return showConsent(deps, attempt, clientName, typeof client?.logoUri === 'string' ? client.logoUri : undefined);
      default:
        return attempt.fail({ kind: 'problem', key: 'error.generic', status: 400 });
    }
  };
}
