/**
 * The bridge from oidc-provider's adapter contract to our storage: one adapter instance per model
 * name, every call forwarded to the ModelStore with that name.
 *
 * One change on the way: a refresh token is read back without the authorization request's `nonce`.
 * oidc-provider copies a refresh token's nonce into the ID tokens it issues on refresh, but a nonce
 * belongs to the authentication response only (OIDC Core 12.2 as corrected by the working group,
 * openid/connect#1025), and RPs such as OmniAuth (GitLab) reject a refreshed ID token that repeats
 * it. A refresh token has no other use for the nonce, and oidc-provider offers no setting for this.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ModelStore } from '../model/index.js';

export function createAdapterFactory(models: ModelStore): (name: string) => Adapter {
  return (name) => new StorageAdapter(name, models);
}

class StorageAdapter implements Adapter {
  constructor(
    private readonly name: string,
    private readonly models: ModelStore,
  ) {}

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    return this.models.upsert(this.name, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const payload = await this.models.find(this.name, id);
    return this.name === 'RefreshToken' ? withoutNonce(payload) : payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return await this.models.findByUid(this.name, uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return await this.models.findByUserCode(this.name, userCode);
  }

  consume(id: string): Promise<void> {
    return this.models.consume(this.name, id);
  }

  destroy(id: string): Promise<void> {
    return this.models.destroy(this.name, id);
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.models.revokeByGrantId(this.name, grantId);
  }
}

function withoutNonce(payload: AdapterPayload | undefined): AdapterPayload | undefined {
  if (!payload || !('nonce' in payload)) return payload;
  const { nonce: _nonce, ...rest } = payload;
  return rest;
}
