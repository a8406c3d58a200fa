/** The consent page: what a third-party app asks for, in plain words, with Allow and Deny. */
import type { Lang } from '../../model/index.js';
import { SUPPORTED_SCOPES } from '../../oidc/claims.js';
import { translator, type MessageKey } from '../messages/index.js';
import type { Attempt } from './attempt.js';
import { paramText, type InteractionDeps } from './context.js';

/** Every scope we support has a sentence of its own (`scope.<name>` in messages.ts). */
const DESCRIBED_SCOPES: ReadonlySet<string> = new Set(SUPPORTED_SCOPES);

export async function showConsent(
  deps: InteractionDeps,
  attempt: Attempt,
  clientName: (lang: Lang) => string,
  logoUri: string | undefined,
): Promise<void> {
  const langFields = attempt.pageLang();
  const { lang } = langFields;
  const t = translator(lang);
  const { details, paths } = attempt;
  const account = details.session ? await deps.accounts.findById(details.session.accountId) : undefined;
  const { missingOIDCClaims = [] } = details.prompt.details as { missingOIDCClaims?: string[] };
  const lines = paramText(details.params.scope)
    .split(' ')
    .filter((scope) => DESCRIBED_SCOPES.has(scope))
    .map((scope) => t(`scope.${scope}` as MessageKey));
  if (missingOIDCClaims.length) lines.push(t('scope.claims', { claims: missingOIDCClaims.join(', ') }));
  deps.pages.send(
    attempt.ctx,
    'consent',
    {
      ...langFields,
      popup: attempt.popup,
      title: t('consent.title'),
      clientName: clientName(lang),
      logoUri,
      scopes: lines,
      accountName: account?.profile.name ?? account?.profile.username,
      confirmUrl: paths.consent,
      abortUrl: paths.abort,
    },
    { formTargets: [attempt.redirectUri], imageSources: logoUri ? [logoUri] : [] },
  );
}
