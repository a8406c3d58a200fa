/**
 * `connections list` and `connections test <identifier>`. Both read only the configuration, so they
 * always run in the CLI process; `test` calls WeCom from this machine, as the server would.
 * Neither ever prints a secret or an access token: rows are built field by field, never by spreading
 * a connection, and the token `gettoken` returns is dropped as soon as its lifetime is known.
 */
import { localize, type Lang } from '../model/index.js';
import type { ConnectionConfig } from '../config/schema.js';
import { resolveWeComEndpoints, testConnection } from '../wecom/index.js';
import { done, failed, isParsedCommand, parseCommandArgs, type ParsedCommand } from './command.js';
import type { LocalAdminContext } from './context.js';
import { json, table } from './format.js';
import { messagesFor } from './messages.js';

const JSON_OPTION = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function parseConnectionsList(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, JSON_OPTION, [], 'connections', lang);
  if (isParsedCommand(parsed)) return parsed;
  return {
    kind: 'local',
    async run(ctx) {
      const connections = ctx.config.connections.map(connectionView);
      if (parsed.values.json) return done(json(connections));
      const t = messagesFor(ctx.lang);
      return done(
        table(
          ['IDENTIFIER', 'DISPLAY NAME', 'CORP ID', 'AGENT ID', 'LOGIN ONLY', 'ASSOCIATION'],
          connections.map((connection) => [
            connection.identifier,
            localize(connection.displayName, ctx.lang),
            connection.corpId,
            connection.agentId,
            connection.loginOnly ? t.yes : t.no,
            connection.association,
          ]),
        ),
      );
    },
  };
}

export function parseConnectionsTest(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, HELP_OPTION, ['<identifier>'], 'connections', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [identifier] = parsed.positionals as [string];
  return { kind: 'local', run: (ctx) => testConnectionCommand(ctx, identifier) };
}

/** What `connections list` shows: everything about a connection except its secret. */
function connectionView(connection: ConnectionConfig) {
  const { association } = connection;
  return {
    identifier: connection.identifier,
    displayName: connection.displayName,
    corpId: connection.corpId,
    agentId: connection.agentId,
    loginOnly: connection.loginOnly,
    association: association.mode === 'match' ? `match (${association.fields.join(', ')})` : association.mode,
    emailFallback: connection.emailFallback,
  };
}

async function testConnectionCommand(ctx: LocalAdminContext, identifier: string) {
  const t = messagesFor(ctx.lang);
  const connection = ctx.config.connections.find((candidate) => candidate.identifier === identifier);
  if (!connection)
    return failed(
      t.connectionNotFound(
        identifier,
        ctx.config.connections.map((c) => c.identifier),
      ),
    );

  const endpoints = resolveWeComEndpoints(ctx.config);
  const result = await testConnection(endpoints, { corpId: connection.corpId, agentId: connection.agentId, secret: connection.secret }, ctx.log);
  switch (result.outcome) {
    case 'accepted':
      return done(t.connectionOk(identifier, result.tokenLifetimeSeconds));
    case 'refused':
      return failed(t.connectionRefused(identifier, result.error.describe(ctx.lang)));
    case 'unreachable': {
      // The message names the API and a fixed reason (e.g. "network error (ECONNREFUSED)"), never the URL.
      const detail = result.error.message.replace(`${result.error.api}: `, '');
      return failed(t.connectionUnreachable(withoutCredentials(endpoints.apiBase), `${detail}. ${result.error.describe(ctx.lang)}`));
    }
  }
}

/** A proxy URL may carry a user and password; the message shows where, not how. */
function withoutCredentials(base: string): string {
  const url = new URL(base);
  if (!url.username && !url.password) return base;
  url.username = '';
  url.password = '';
  return url.href;
}
