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
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
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

  /**
   * oidc-provider reads a code, checks it, then consumes it, and refuses a second use only when the
   * read already shows it consumed: two redemptions of one code at the same moment would both pass.
   * The store consumes once, atomically; the later of two is refused here as oidc-provider refuses a
   * replay (without its revocation of the grant: the winner's tokens may not be written yet).
   */
  async consume(id: string): Promise<void> {
    if (await this.models.consume(this.name, id)) return;
    if (this.name === 'PushedAuthorizationRequest') throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
    throw new errors.InvalidGrant(this.name === 'RefreshToken' ? 'refresh token already used' : `${label(this.name)} already consumed`);
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

/** oidc-provider's words for a model in its errors: "authorization code", "device code". */
function label(model: string): string {
  return model.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
}
