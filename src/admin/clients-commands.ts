/**
 * `clients list`: the configured OIDC clients. Rows are built field by field from a fixed list, so a
 * client_secret (or any other metadata) can never slip into the output.
 */
import type { ClientConfig } from '../config/schema.js';
import { done, isParsedCommand, parseCommandArgs, type ParsedCommand } from './command.js';
import { json, table } from './format.js';
import { messagesFor } from './messages.js';
import type { Lang } from '../model/index.js';

const JSON_OPTION = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function parseClientsList(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, JSON_OPTION, [], 'clients', lang);
  if (isParsedCommand(parsed)) return parsed;
  return {
    kind: 'local',
    async run(ctx) {
      const clients = ctx.config.clients.map(clientView);
      if (parsed.values.json) return done(json(clients));
      const t = messagesFor(ctx.lang);
      return done(
        table(
          ['CLIENT ID', 'NAME', 'FIRST PARTY', 'REDIRECT URIS', 'CONNECTIONS'],
          clients.map((client) => [
            client.client_id,
            client.client_name,
            client.first_party ? t.yes : t.no,
            client.redirect_uris.join(' '),
            client.connections?.join(', ') ?? t.allConnections,
          ]),
        ),
      );
    },
  };
}

function clientView(client: ClientConfig) {
  return {
    client_id: client.client_id,
    client_name: typeof client.client_name === 'string' ? client.client_name : undefined,
    first_party: client.first_party === true,
    id_token_claims: client.id_token_claims ?? 'minimal',
    redirect_uris: stringList(client.redirect_uris),
    connections: client.connections,
  };
}

/** Client metadata beyond client_id is validated by oidc-provider at start-up, not by our schema. */
function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
