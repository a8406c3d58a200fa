/**
 * Client metadata we add to the OIDC standard set, validated by oidc-provider with the rest.
 */
import { errors, type Configuration } from 'oidc-provider';

export const extraClientMetadata: NonNullable<Configuration['extraClientMetadata']> = {
  properties: ['first_party'],
  validator(_ctx, key, value) {
    // `first_party: true` skips the consent screen: the administrator consented when configuring it.
    if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
      throw new errors.InvalidClientMetadata('first_party must be a boolean');
    }
  },
};

/** Whether a client was configured as first-party, i.e. its users are never shown a consent screen. */
export function isFirstParty(client: { metadata(): Record<string, unknown> } | undefined): boolean {
  return client?.metadata().first_party === true;
}
