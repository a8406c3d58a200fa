/**
 * The `connection=<identifier>` authorization parameter: an app names the WeCom connection to use,
 * and the login choice page is skipped. An identifier that is unknown, or not offered to this
 * client, is the app's mistake and answered as invalid_request.
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { offeredConnections } from './client-metadata.js';

export function connectionParam(connectionIds: readonly string[]) {
  return async (_ctx: KoaContextWithOIDC, value: string | undefined, client: Parameters<typeof offeredConnections>[0]) => {
    if (value === undefined) return;
    if (!offeredConnections(client, connectionIds).includes(value)) {
      throw new errors.InvalidRequest('the connection parameter names no connection offered to this client');
    }
  };
}
