/**
 * The configured WeCom connections, looked up by their immutable identifier.
 */
import type { ConnectionConfig } from '../config/schema.js';
import type { WeComApp } from './index.js';

export interface Connection extends ConnectionConfig {
  /** The credentials the WeCom client needs for this connection's self-built app. */
  readonly app: WeComApp;
}

export class ConnectionRegistry {
  private byIdentifier: Map<string, Connection>;

  constructor(connections: readonly ConnectionConfig[]) {
    this.byIdentifier = index(connections);
  }

  /** A configuration reload: every lookup after this sees the new connections. */
  replace(connections: readonly ConnectionConfig[]): void {
    this.byIdentifier = index(connections);
  }

  get(identifier: string): Connection | undefined {
    return this.byIdentifier.get(identifier);
  }

  list(): Connection[] {
    return [...this.byIdentifier.values()];
  }
}

function index(connections: readonly ConnectionConfig[]): Map<string, Connection> {
  return new Map(
    connections.map((connection) => [
      connection.identifier,
      { ...connection, app: { corpId: connection.corpId, agentId: connection.agentId, secret: connection.secret } },
    ]),
  );
}
