import { describe, expect, it } from 'vitest';
import { errors } from 'oidc-provider';
import { extraClientMetadata, idTokenClaims } from './client-metadata.js';

describe('our client metadata, as oidc-provider validates it', () => {
  const { properties, validator } = extraClientMetadata(['wecom']);
  const validate = (key: string, value: unknown) => validator!(undefined, key, value, { client_id: 'app' });

  it('knows id_token_claims, and accepts "minimal", "scopes" or nothing', () => {
    expect(properties).toContain('id_token_claims');
    for (const value of ['minimal', 'scopes', undefined]) expect(() => validate('id_token_claims', value)).not.toThrow();
  });

  it('refuses any other id_token_claims with invalid_client_metadata', () => {
    for (const value of ['all', true, ['scopes']]) {
      expect(() => validate('id_token_claims', value)).toThrow(errors.InvalidClientMetadata);
    }
  });

  it('reads "minimal" unless a client says "scopes"', () => {
    const client = (metadata: Record<string, unknown>) => ({ metadata: () => metadata });
    expect(idTokenClaims(client({ id_token_claims: 'scopes' }))).toBe('scopes');
    expect(idTokenClaims(client({}))).toBe('minimal');
    expect(idTokenClaims(undefined)).toBe('minimal');
  });
});
