/**
 * `accounts list|show|disable|enable|unlink|sync`: reading accounts and the administrator's switches.
 * Disabling goes through AccountService so that it also revokes every session, grant and token.
 */
import { isUnclaimedProvisioned, lastCheckedAt, type Account, type Lang } from '../model/index.js';
import { done, failed, isParsedCommand, output, parseCommandArgs, usageError, type ParsedCommand } from './command.js';
import type { AdminContext, AdminResult } from './context.js';
import { fields, isoDate, json, table } from './format.js';
import { helpCommand } from './help.js';
import { messagesFor, type AdminMessages } from './messages.js';

const JSON_OPTION = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function parseAccountsList(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, JSON_OPTION, [], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  return storageCommand(async (ctx) => {
    const accounts = await ctx.storage.accounts.list();
    if (parsed.values.json) return done(json(accounts.map(accountView)));
    const t = messagesFor(ctx.lang);
    if (!accounts.length) return done(t.noAccounts);
    return done(
      table(
        ['ID', 'USERNAME', 'NAME', 'EMAIL', 'PHONE', 'STATUS', 'IDENTITIES'],
        accounts.map((account) => [
          account.id,
          account.profile.username,
          account.profile.name,
          account.profile.email,
          account.profile.phoneNumber,
          account.disabled ? t.disabled : t.enabled,
          isUnclaimedProvisioned(account) ? t.provisioned : String(account.identities.length),
        ]),
      ),
    );
  });
}

export function parseAccountsShow(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, JSON_OPTION, ['<id-or-username>'], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [ref] = parsed.positionals as [string];
  return storageCommand(async (ctx) => {
    const found = await findAccount(ctx, ref);
    if ('exitCode' in found) return found;
    return done(parsed.values.json ? json(accountView(found)) : describeAccount(found, messagesFor(ctx.lang)));
  });
}

export function parseAccountsSetDisabled(args: readonly string[], lang: Lang, disabled: boolean): ParsedCommand {
  const parsed = parseCommandArgs(args, HELP_OPTION, ['<id-or-username>'], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [ref] = parsed.positionals as [string];
  return storageCommand(async (ctx) => {
    const found = await findAccount(ctx, ref);
    if ('exitCode' in found) return found;
    const t = messagesFor(ctx.lang);
    const { account, revoked, notified } = await ctx.accounts.setDisabled(found.id, disabled);
    if (!account) return failed(t.accountNotFound(ref));
    return done(disabled ? t.accountDisabled(who(account), revoked, notified) : t.accountEnabled(who(account)));
  });
}

export function parseAccountsUnlink(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, HELP_OPTION, ['<id-or-username>', '<corpId>/<userid>'], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [ref, identity] = parsed.positionals as [string, string];
  // The corp id is alphanumeric, so the first "/" ends it; a userid from a linked corp may contain one.
  const slash = identity.indexOf('/');
  const corpId = identity.slice(0, slash);
  const userid = identity.slice(slash + 1);
  if (slash < 1 || !userid) {
    return output(usageError(messagesFor(lang).badUsage(messagesFor(lang).badIdentity(identity), helpCommand('accounts'))));
  }
  return storageCommand(async (ctx) => {
    const found = await findAccount(ctx, ref);
    if ('exitCode' in found) return found;
    const t = messagesFor(ctx.lang);
    const label = `${corpId}/${userid.toLowerCase()}`;
    if (!(await ctx.storage.accounts.unlinkIdentity(found.id, corpId, userid))) {
      return failed(t.identityNotLinked(label, who(found)));
    }
    ctx.log.info('WeCom identity unlinked by an administrator', { accountId: found.id, corpId });
    return done(t.identityUnlinked(label, who(found)));
  });
}

export function parseAccountsSync(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, { connection: { type: 'string' }, ...HELP_OPTION }, [], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  const only = parsed.values.connection;
  return storageCommand(async (ctx) => {
    const t = messagesFor(ctx.lang);
    if (!ctx.reconcile) return failed(t.syncUnavailable);
    const identifiers = ctx.config.connections.map((connection) => connection.identifier);
    if (only !== undefined && !identifiers.includes(only)) return failed(t.noSuchConnection(only));
    const lines: string[] = [];
    let ok = true;
    for (const identifier of only === undefined ? identifiers : [only]) {
      const result = await ctx.reconcile(identifier, ctx.progress);
      if (result.status === 'done') lines.push(t.syncSummary(identifier, result, result.resumed));
      else lines.push(result.status === 'busy' ? t.syncBusy(identifier) : t.syncStopped(identifier));
      ok &&= result.status === 'done' && result.errors === 0;
    }
    return ok ? done(`${lines.join('\n')}\n`) : failed(`${lines.join('\n')}\n`);
  });
}

function storageCommand(run: (ctx: AdminContext) => Promise<AdminResult>): ParsedCommand {
  return { kind: 'storage', inputFiles: [], run };
}

/** By id first (ids are random, so a username cannot collide by accident), then by username. */
async function findAccount(ctx: AdminContext, ref: string): Promise<Account | AdminResult> {
  const t = messagesFor(ctx.lang);
  const byId = await ctx.storage.accounts.findById(ref);
  if (byId) return byId;
  const byUsername = await ctx.storage.accounts.findByMatchField('username', ref);
  if (byUsername.length === 1) return byUsername[0]!;
  if (byUsername.length > 1)
    return failed(
      t.accountAmbiguous(
        ref,
        byUsername.map((account) => account.id),
      ),
    );
  return failed(t.accountNotFound(ref));
}

function who(account: Account): string {
  return `${account.id} (${account.profile.username})`;
}

/** The account for `--json`: as stored, with times as ISO dates. */
function accountView(account: Account) {
  return {
    id: account.id,
    disabled: account.disabled,
    provisioned: account.provisioned === true,
    createdAt: isoDate(account.createdAt),
    updatedAt: isoDate(account.updatedAt),
    profile: account.profile,
    identities: account.identities.map((identity) => ({
      ...identity,
      linkedAt: isoDate(identity.linkedAt),
      checkedAt: isoDate(lastCheckedAt(identity)),
      checkedVia: identity.checkedVia ?? 'link',
    })),
    ...(account.retiredAt === undefined ? {} : { retiredAt: isoDate(account.retiredAt) }),
  };
}

function describeAccount(account: Account, t: AdminMessages): string {
  const { profile } = account;
  const email = profile.email && (profile.emailVerified ? `${profile.email} (verified)` : `${profile.email} (unverified)`);
  const departments =
    profile.department?.length &&
    `${profile.department.join(', ')}${profile.mainDepartment !== undefined ? ` (main ${profile.mainDepartment})` : ''}`;
  const summary = fields([
    ['id', account.id],
    ['username', profile.username],
    ['name', profile.name],
    ['email', email || undefined],
    ['phone', profile.phoneNumber],
    ['status', account.disabled ? t.disabled : t.enabled],
    ['retired', account.retiredAt === undefined ? undefined : isoDate(account.retiredAt)],
    ['provisioned', account.provisioned ? (isUnclaimedProvisioned(account) ? t.provisionedUnclaimed : t.provisionedClaimed) : undefined],
    ['created', isoDate(account.createdAt)],
    ['updated', isoDate(account.updatedAt)],
    ['corp', profile.corpId],
    ['departments', departments || undefined],
    ['groups', profile.groups?.join(', ')],
    ['position', profile.position],
    ['gender', profile.gender],
    ['picture', profile.picture],
  ]);
  if (!account.identities.length) return `${summary}identities: -\n`;
  const identities = table(
    ['CORP ID', 'USERID', 'CONNECTION', 'LINKED AT', 'LAST CHECKED WITH WECOM'],
    account.identities.map((identity) => [
      identity.corpId,
      identity.userid,
      identity.connection,
      isoDate(identity.linkedAt),
      identity.checkedAt === undefined ? t.neverChecked : `${isoDate(identity.checkedAt)} (${identity.checkedVia ?? '-'})`,
    ]),
  );
  return `${summary}identities:\n${identities.replace(/^/gm, '  ').trimEnd()}\n`;
}
