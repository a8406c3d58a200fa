/**
 * The bind page (association mode `bind`): a verified member with no account chooses between "link
 * to an account I already have" (proved by signing in through another connection linked to it) and
 * "create a new account" (not offered when the connection is login-only).
 */
import { localize } from '../../model/index.js';
import { translator } from '../messages/index.js';
import type { Attempt } from './attempt.js';
import type { InteractionDeps } from './context.js';
import { connectionsOffered } from './offered.js';
import type { PendingBinding } from './pending-binding.js';

export async function showBind(deps: InteractionDeps, attempt: Attempt, pending: PendingBinding): Promise<void> {
  const langFields = attempt.pageLang();
  const { lang } = langFields;
  const t = translator(lang);
  const { paths } = attempt;
  const origin = deps.connections.get(pending.connection);
  const proofs = (await connectionsOffered(deps, attempt.details)).filter((connection) => connection.identifier !== pending.connection);
  deps.pages.send(
    attempt.ctx,
    'bind',
    {
      ...langFields,
      popup: attempt.popup,
      title: t('bind.title'),
      memberName: pending.member.name ?? pending.member.userid,
      proofs: proofs.map((connection) => ({ displayName: localize(connection.displayName, lang), url: paths.bindWith(connection.identifier) })),
      createUrl: origin && !origin.loginOnly ? paths.bindNew : undefined,
      abortUrl: paths.abort,
    },
    { formTargets: [deps.qrLoginBase, deps.oauthBase, attempt.redirectUri] },
  );
}
