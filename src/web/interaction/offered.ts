/** The connections a sign-in attempt may use: those its client offers (client metadata `connections`). */
import type { Connection } from '../../wecom/index.js';
import { offeredConnections } from '../../oidc/client-metadata.js';
import type { InteractionDeps, InteractionDetails } from './context.js';

export async function connectionsOffered(deps: InteractionDeps, details: InteractionDetails): Promise<Connection[]> {
  const client = await deps.provider.Client.find(String(details.params.client_id));
  const all = deps.connections.list();
  const offered = new Set(
    offeredConnections(
      client,
      all.map((connection) => connection.identifier),
    ),
  );
  return all.filter((connection) => offered.has(connection.identifier));
}

export async function offeredConnection(deps: InteractionDeps, details: InteractionDetails, identifier: string): Promise<Connection | undefined> {
  return (await connectionsOffered(deps, details)).find((connection) => connection.identifier === identifier);
}
